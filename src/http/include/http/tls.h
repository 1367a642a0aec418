#pragma once

// The HTTPS listener's certificate, key and client CA ([tls], docs/tls.md). The server loads them
// at start (Server::Create) and again on SIGHUP (Server::ReloadTls); --check-config loads them
// with CheckTlsFiles, so a configuration that passes the check starts.

#include "common/status.h"
#include "config/config.h"

namespace tc::http {

// Loads tls.cert_file, tls.key_file and tls.client_ca_file (if set) the way the server does and
// checks that the key belongs to the certificate. kInvalidArgument names the key, the file and
// what is wrong ("tls.key_file \"/etc/tc/key.pem\": does not match tls.cert_file ...").
// Ok without reading anything when tls.listen is empty.
Status CheckTlsFiles(const config::TlsConfig& tls);

}  // namespace tc::http
