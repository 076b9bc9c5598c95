#include "dismake/registry/registry_path.h"

#include <gtest/gtest.h>

#include "dismake/base/error.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

void expect_maps(const std::string& name, const std::string& file, const std::string& key) {
  RegistryPath path = parse_registry_path(name);
  EXPECT_EQ(path.hive_file, file) << name;
  EXPECT_EQ(path.key, key) << name;
}

Error error_of(const std::string& name) {
  return test::error_of([&] { parse_registry_path(name); }, "'" + name + "'");
}

TEST(RegistryPath, MachineHives) {
  const std::string config = "Windows/System32/config/";
  expect_maps("HKLM\\SOFTWARE\\Contoso\\App", config + "SOFTWARE", "Contoso\\App");
  expect_maps("HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso", config + "SOFTWARE", "Contoso");
  expect_maps("HKLM\\SYSTEM\\CurrentControlSet\\Services", config + "SYSTEM",
              "CurrentControlSet\\Services");
  expect_maps("HKLM\\SAM\\SAM", config + "SAM", "SAM");
  expect_maps("HKLM\\SECURITY\\Policy", config + "SECURITY", "Policy");
  expect_maps("HKLM\\COMPONENTS\\DerivedData", config + "COMPONENTS", "DerivedData");
  expect_maps("HKLM\\DRIVERS\\DriverDatabase", config + "DRIVERS", "DriverDatabase");
}

TEST(RegistryPath, UserHives) {
  expect_maps("HKU\\.DEFAULT\\Control Panel", "Windows/System32/config/DEFAULT", "Control Panel");
  expect_maps("HKEY_USERS\\.DEFAULT\\Environment", "Windows/System32/config/DEFAULT",
              "Environment");
  expect_maps("HKU\\DefaultUser\\Software\\X", "Users/Default/NTUSER.DAT", "Software\\X");
  expect_maps("HKEY_USERS\\DefaultUser", "Users/Default/NTUSER.DAT", "");
  expect_maps("HKCU\\Software\\X", "Users/Default/NTUSER.DAT", "Software\\X");
  expect_maps("HKEY_CURRENT_USER\\Software\\X", "Users/Default/NTUSER.DAT", "Software\\X");
  expect_maps("HKCU", "Users/Default/NTUSER.DAT", "");
}

TEST(RegistryPath, ClassesRootIsTheMachineClassesKey) {
  RegistryPath path = parse_registry_path("HKCR\\.txt");
  EXPECT_EQ(path.hive_file, "Windows/System32/config/SOFTWARE");
  EXPECT_EQ(path.key, "Classes\\.txt");
  EXPECT_EQ(path.display(), "HKLM\\SOFTWARE\\Classes\\.txt");
  expect_maps("HKEY_CLASSES_ROOT", "Windows/System32/config/SOFTWARE", "Classes");
}

TEST(RegistryPath, RootAndHiveMatchInAnyCaseKeyKeepsItsSpelling) {
  expect_maps("hklm\\software\\Contoso\\MyApp", "Windows/System32/config/SOFTWARE",
              "Contoso\\MyApp");
  expect_maps("Hkey_Local_Machine\\System\\Setup", "Windows/System32/config/SYSTEM", "Setup");
  expect_maps("hku\\.default\\x", "Windows/System32/config/DEFAULT", "x");
  expect_maps("hku\\defaultuser\\x", "Users/Default/NTUSER.DAT", "x");
}

TEST(RegistryPath, TrailingBackslashAndHiveRoot) {
  expect_maps("HKLM\\SOFTWARE\\Contoso\\", "Windows/System32/config/SOFTWARE", "Contoso");
  expect_maps("HKLM\\SOFTWARE", "Windows/System32/config/SOFTWARE", "");
  expect_maps("HKLM\\SOFTWARE\\", "Windows/System32/config/SOFTWARE", "");
}

TEST(RegistryPath, Display) {
  EXPECT_EQ(parse_registry_path("hkey_local_machine\\software\\A\\B").display(),
            "HKLM\\SOFTWARE\\A\\B");
  EXPECT_EQ(parse_registry_path("HKEY_CURRENT_USER").display(), "HKCU");
}

TEST(RegistryPath, UnknownHive) {
  Error error = error_of("HKLM\\FOO\\Bar");
  EXPECT_EQ(error.code(), hr::kInvalidArg);
  EXPECT_EQ(error.problem(), "unknown registry hive 'HKLM\\FOO' in key 'HKLM\\FOO\\Bar'");
  EXPECT_NE(error.hint().find("use one of HKLM\\SOFTWARE, HKLM\\SYSTEM"), std::string::npos);
  EXPECT_NE(std::string(error.what()).find("0x80070057"), std::string::npos);
}

TEST(RegistryPath, UnknownRootsAndMissingHive) {
  EXPECT_EQ(error_of("HKXX\\SOFTWARE\\A").problem(),
            "unknown registry hive 'HKXX\\SOFTWARE' in key 'HKXX\\SOFTWARE\\A'");
  EXPECT_EQ(error_of("HKLM").problem(), "unknown registry hive 'HKLM' in key 'HKLM'");
  EXPECT_EQ(error_of("HKU\\S-1-5-18\\X").code(), hr::kInvalidArg);
  EXPECT_EQ(error_of("").code(), hr::kInvalidArg);
  EXPECT_EQ(error_of("SOFTWARE\\Contoso").code(), hr::kInvalidArg);
}

TEST(RegistryPath, EmptyKeyName) {
  Error error = error_of("HKLM\\SOFTWARE\\A\\\\B");
  EXPECT_EQ(error.code(), hr::kInvalidArg);
  EXPECT_EQ(error.problem(), "registry key 'HKLM\\SOFTWARE\\A\\\\B' has an empty key name");
}

}  // namespace
}  // namespace dismake
