#include "common/paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace tc {
namespace {

using testing::TempDir;

std::string WriteScript(const std::string& path) {
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  EXPECT_EQ(::chmod(path.c_str(), 0755), 0);
  return path;
}

TEST(PathsTest, AbsolutePathIsAbsoluteAndLexicallyNormal) {
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  EXPECT_EQ(AbsolutePath("/var/lib/../tmp/./x"), "/var/tmp/x");
  EXPECT_EQ(AbsolutePath("a/b/../c"), std::string(cwd) + "/a/c");
  EXPECT_EQ(AbsolutePath("/already/absolute"), "/already/absolute");
}

TEST(PathsTest, FindExecutableByPathAndOnPath) {
  TempDir dir;
  const std::string script = WriteScript(dir.File("my-sqld"));
  Result<std::string> found = FindExecutable("my-sqld", "/nonexistent:" + dir.path());
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(*found, script);
  found = FindExecutable(script, "");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, script);

  Result<std::string> missing = FindExecutable("my-sqld", "/nonexistent:/also/not");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.error().message(),
            "binary 'my-sqld' not found on PATH (/nonexistent:/also/not)");
  EXPECT_EQ(FindExecutable(dir.File("absent"), "").error().code(), StatusCode::kNotFound);

  EXPECT_EQ(FindExecutable(dir.path(), "").error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(FindExecutable("", "").error().code(), StatusCode::kInvalidArgument);
}

TEST(PathsTest, OnlyExecutableRegularFilesAreFound) {
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.File("sub").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dir.File("sub/tool").c_str(), 0755), 0);  // a directory is not a program
  std::ofstream(dir.File("plain")) << "not executable";
  EXPECT_EQ(FindExecutable("tool", dir.File("sub")).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindExecutable("plain", dir.path()).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindExecutable(dir.File("plain"), "").error().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tc
