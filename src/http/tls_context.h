#pragma once

// The server's OpenSSL context (internal to src/http/): built from [tls] (TLS 1.2+ or 1.3+, no
// compression, no renegotiation, the server's cipher order; otherwise the system OpenSSL's
// defaults), swapped whole on SIGHUP. A connection keeps the context it started with.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>

#include "common/result.h"
#include "config/config.h"

namespace tc::http {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Reads the files named in `tls` into a new server context. Errors: kInvalidArgument naming the
// key and file (unreadable, not PEM, key does not match the certificate, no CA in the file).
Result<TlsContextPtr> MakeTlsContext(const config::TlsConfig& tls);

// The context new connections use. Thread-safe.
class TlsContextSlot {
 public:
  TlsContextPtr Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return context_;
  }
  void Set(TlsContextPtr context) {
    std::lock_guard<std::mutex> lock(mu_);
    context_.swap(context);
  }  // the old context is released outside the lock (context's destructor)

 private:
  mutable std::mutex mu_;
  TlsContextPtr context_;  // guarded by mu_; null = no HTTPS listener
};

}  // namespace tc::http
