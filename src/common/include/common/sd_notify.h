#pragma once

// The systemd notification protocol (sd_notify(3)) without libsystemd: each message is one
// datagram of newline-separated VAR=value assignments ("READY=1", "STOPPING=1", "WATCHDOG=1",
// "STATUS=...", "RELOADING=1\nMONOTONIC_USEC=...") sent to the AF_UNIX socket named by
// $NOTIFY_SOCKET: a path, or '@name' for the Linux abstract namespace.
//
// Thread-safe (the environment is only read; each call opens its own socket). When
// NOTIFY_SOCKET is unset (not run by systemd with Type=notify) every call is a no-op returning
// OK.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tc::sd {

// True when $NOTIFY_SOCKET is set and non-empty.
bool NotifyEnabled();

// Sends `state` as one datagram. Errors (bad socket address, send failure) are returned, never
// fatal: the caller logs them.
Status Notify(std::string_view state);

// The watchdog timeout from $WATCHDOG_USEC, if set, positive and meant for this process
// ($WATCHDOG_PID unset or equal to getpid()). Ping at half of it.
std::optional<std::chrono::microseconds> WatchdogTimeout();

// "MONOTONIC_USEC=<CLOCK_MONOTONIC now in µs>", which systemd wants with RELOADING=1.
std::string MonotonicUsecField();

}  // namespace tc::sd
