#pragma once

// A blocking HTTP/1.1 client over one keep-alive connection, for tests and the benchmark's
// checks. Not thread-safe: one per thread.

#include <map>
#include <memory>
#include <string>

namespace tc::testing {

struct HttpResponse {
  int status = 0;                              // 0: the connection failed (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Reconnects as needed. `extra_headers` as "Name: value" lines.
  HttpResponse Post(const std::string& target, const std::string& body,
                    const std::string& content_type = "application/json",
                    const std::map<std::string, std::string>& extra_headers = {});
  HttpResponse Get(const std::string& target,
                   const std::map<std::string, std::string>& extra_headers = {});
  HttpResponse Delete(const std::string& target,
                      const std::map<std::string, std::string>& extra_headers = {});

 private:
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body, const std::string& content_type,
                    const std::map<std::string, std::string>& extra_headers);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tc::testing
