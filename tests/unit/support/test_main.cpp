// The main() of every unit test. CTest cannot hand a list of environment
// variables to tests found by gtest_discover_tests, so the build compiles in
// where the helper and the fixtures are, and this puts them in the
// environment (without overriding what the caller set) before the tests run.
#include <gtest/gtest.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  ::setenv("DISMAKE", DISMAKE_TEST_HELPER, 0);
  ::setenv("DISMAKE_FIXTURES", DISMAKE_TEST_FIXTURES, 0);
  ::setenv("DISMAKE_TESTDATA", DISMAKE_TEST_TESTDATA, 0);
  ::setenv("DISMAKE_SOURCE_DIR", DISMAKE_TEST_SOURCE_DIR, 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
