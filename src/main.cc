// tracecollector: durable trace collector for LLM agents. Wiring lives in app/collector.cc;
// this file only turns the command line into a config, handles signals and sets the exit code.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app/collector.h"
#include "common/log.h"
#include "config/config.h"

extern char** environ;

#ifndef TC_VERSION
#define TC_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);

  auto invocation = tc::config::Load(args, env);
  if (!invocation) {
    std::fprintf(stderr, "tracecollector: configuration error: %s\n",
                 invocation.error().message().c_str());
    return 2;
  }
  const tc::config::Config& config = invocation->config;
  if (invocation->show_help) {
    std::fputs(tc::config::HelpText().c_str(), stdout);
    return 0;
  }
  if (invocation->show_version) {
    std::printf("tracecollector %s\n", TC_VERSION);
    return 0;
  }
  if (invocation->check_config) {
    std::fputs(tc::config::ToToml(config).c_str(), stdout);
    auto choice = tc::app::ChooseBackend(config);
    std::printf("# backend resolves to: %s (%s)\n", tc::config::BackendName(choice.backend),
                choice.reason.c_str());
    return 0;
  }
  tc::log::Level level;
  if (tc::log::ParseLevel(config.log.level, &level)) tc::log::SetLevel(level);

  // Signals are taken synchronously by this thread (sigwait); every thread created from here on
  // inherits the blocked mask. SIGPIPE: broken connections are handled as error codes.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto collector = tc::app::Collector::Create(config);
  if (!collector) {
    TC_LOG(kError, "app", "cannot start: {}", collector.error().ToString());
    return 1;
  }
  if (auto st = (*collector)->Start(); !st.ok()) {
    TC_LOG(kError, "app", "cannot start: {}", st.ToString());
    (*collector)->Shutdown();
    return 1;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  TC_LOG(kInfo, "app", "received {}", received == SIGINT ? "SIGINT" : "SIGTERM");
  (*collector)->Shutdown();
  return (*collector)->child_failed() ? 1 : 0;
}
