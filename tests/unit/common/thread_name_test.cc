#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace tc {
namespace {

std::string NameOfThisThread() {
  char name[64] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadAndCutsToFifteenBytes) {
  std::string short_name;
  std::string long_name;
  std::thread([&] {
    SetThreadName("tc-writer");
    short_name = NameOfThisThread();
    SetThreadName("tc-a-name-longer-than-fifteen");
    long_name = NameOfThisThread();
  }).join();
  EXPECT_EQ(short_name, "tc-writer");
  EXPECT_EQ(long_name, "tc-a-name-longe");
}

}  // namespace
}  // namespace tc
