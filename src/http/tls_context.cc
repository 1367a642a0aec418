#include "tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "http/tls.h"

namespace tc::http {

namespace ssl = boost::asio::ssl;

namespace {

constexpr std::string_view kSessionIdContext = "tracecollector";

Status FileError(std::string_view key, const std::string& path, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{} \"{}\": {}", key, path, what));
}

// A clearer message than OpenSSL's for the common case (missing file, no permission).
Status CheckReadable(std::string_view key, const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return FileError(key, path, fmt::format("cannot read: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace

Result<TlsContextPtr> MakeTlsContext(const config::TlsConfig& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(native, tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  // An idle keep-alive connection keeps no read/write buffers (http.max_connections of them
  // must fit the memory bound).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_id_context(native,
                                 reinterpret_cast<const unsigned char*>(kSessionIdContext.data()),
                                 kSessionIdContext.size());

  boost::system::error_code ec;
  TC_RETURN_IF_ERROR(CheckReadable("tls.cert_file", tls.cert_file));
  if (context->use_certificate_chain_file(tls.cert_file, ec); ec) {
    return FileError("tls.cert_file", tls.cert_file,
                     "not a PEM certificate chain: " + ec.message());
  }
  TC_RETURN_IF_ERROR(CheckReadable("tls.key_file", tls.key_file));
  const auto mismatch = [&] {
    return FileError(
        "tls.key_file", tls.key_file,
        fmt::format("does not match the certificate in tls.cert_file (\"{}\")", tls.cert_file));
  };
  if (context->use_private_key_file(tls.key_file, ssl::context::pem, ec); ec) {
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
      return mismatch();
    }
    return FileError("tls.key_file", tls.key_file,
                     "not an unencrypted PEM private key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return mismatch();
  }
  if (!tls.client_ca_file.empty()) {
    TC_RETURN_IF_ERROR(CheckReadable("tls.client_ca_file", tls.client_ca_file));
    if (context->load_verify_file(tls.client_ca_file, ec); ec) {
      return FileError("tls.client_ca_file", tls.client_ca_file,
                       "no PEM CA certificate in it: " + ec.message());
    }
    // The CA names sent in the CertificateRequest (clients pick their certificate by them).
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names == nullptr) {
      return FileError("tls.client_ca_file", tls.client_ca_file, "no PEM CA certificate in it");
    }
    SSL_CTX_set_client_CA_list(native, names);
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    context->set_verify_mode(ssl::verify_none);
  }
  return context;
}

Status CheckTlsFiles(const config::TlsConfig& tls) {
  if (tls.listen.empty()) {
    return Status::Ok();
  }
  auto context = MakeTlsContext(tls);
  return context ? Status::Ok() : context.error();
}

}  // namespace tc::http
