#include "dismake/diff/security_descriptor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dismake {
namespace {

std::string bytes(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

// Owner BUILTIN\Administrators, a protected DACL of one ACE: SYSTEM full
// control, inherited by files and folders.
const std::vector<int> kDescriptor = {
    1,  0, 0x04, 0x90,  // revision, control: self-relative, DACL present, protected
    20, 0, 0,    0,     // owner at 20
    0,  0, 0,    0,     // no group
    0,  0, 0,    0,     // no SACL
    36, 0, 0,    0,     // DACL at 36
    1,  2, 0,    0,    0,    0,    0,    5, 32, 0, 0, 0, 0x20, 2, 0, 0,  // S-1-5-32-544
    2,  0, 28,   0,    1,    0,    0,    0,                              // ACL: one ACE
    0,  3, 20,   0,    0xff, 0x01, 0x1f, 0,                              // allow, OI|CI, FA
    1,  1, 0,    0,    0,    0,    0,    5, 18, 0, 0, 0,                 // S-1-5-18
};

TEST(SecurityDescriptor, WritesSddlWithWellKnownAliases) {
  EXPECT_EQ(security_descriptor_to_sddl(bytes(kDescriptor)), "O:BAD:P(A;OICI;FA;;;SY)");
}

TEST(SecurityDescriptor, OtherSidsAndMasksInFull) {
  std::vector<int> d = kDescriptor;
  d[44 + 4] = 0xa9;  // mask 0x1f01a9
  d[60] = 99;        // S-1-5-99
  EXPECT_EQ(security_descriptor_to_sddl(bytes(d)), "O:BAD:P(A;OICI;0x1f01a9;;;S-1-5-99)");
}

TEST(SecurityDescriptor, EmptyAndDamaged) {
  EXPECT_EQ(security_descriptor_to_sddl(""), "none");
  std::vector<int> truncated(kDescriptor.begin(), kDescriptor.end() - 4);
  EXPECT_EQ(security_descriptor_to_sddl(bytes(truncated)),
            "(not a valid security descriptor, 60 bytes)");
}

}  // namespace
}  // namespace dismake
