// tc_config_gen: regenerates the files derived from the key and flag tables.
//   tc_config_gen sample          > config/tracecollector.toml
//   tc_config_gen docs FILE       rewrites the generated blocks of FILE (docs/configuration.md)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "render.h"

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sample" && argc == 2) {
    std::cout << tc::config::SampleToml();
    return 0;
  }
  if (mode == "docs" && argc == 3) {
    std::ifstream in(argv[2]);
    if (!in) {
      std::cerr << "cannot read " << argv[2] << "\n";
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    tc::Result<std::string> updated = tc::config::UpdateGeneratedBlocks(text.str());
    if (!updated) {
      std::cerr << argv[2] << ": " << updated.error().message() << "\n";
      return 1;
    }
    std::ofstream out(argv[2], std::ios::trunc);
    out << *updated;
    return out ? 0 : 1;
  }
  std::cerr << "usage: tc_config_gen sample | tc_config_gen docs FILE\n";
  return 2;
}
