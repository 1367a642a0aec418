#pragma once

// Finds processes by a fragment of their command line (to fault the collector's child server).

#include <dirent.h>
#include <sys/types.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tc::testing {

inline std::vector<pid_t> PidsWithCmdline(const std::string& fragment) {
  std::vector<pid_t> pids;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* entry = readdir(dir)) {
    pid_t pid = static_cast<pid_t>(atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::string(entry->d_name) + "/cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string cmdline = ss.str();
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(fragment) != std::string::npos) pids.push_back(pid);
  }
  closedir(dir);
  return pids;
}

}  // namespace tc::testing
