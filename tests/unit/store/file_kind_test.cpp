// The one file kind's names, as the mount's record files (a state's delta,
// the tree index) have always spelled them: a record written before the
// kinds were one enum reads back the same.
#include "dismake/store/file_kind.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dismake/store/state_delta.h"

namespace dismake {
namespace {

TEST(FileKindTest, EachKindHasTheNameTheRecordsUse) {
  EXPECT_STREQ(file_kind_name(FileKind::kAbsent), "deleted");
  EXPECT_STREQ(file_kind_name(FileKind::kFile), "file");
  EXPECT_STREQ(file_kind_name(FileKind::kDirectory), "dir");
  EXPECT_STREQ(file_kind_name(FileKind::kSymlink), "symlink");
  for (FileKind kind :
       {FileKind::kAbsent, FileKind::kFile, FileKind::kDirectory, FileKind::kSymlink})
    EXPECT_EQ(file_kind_named(file_kind_name(kind)), kind);
  EXPECT_EQ(file_kind_named("directory"), std::nullopt);
}

TEST(FileKindTest, ADeltaKeepsEveryKindThroughItsRecord) {
  StateDelta delta;
  DeltaEntry gone, dir, link;
  dir.kind = FileKind::kDirectory;
  link.kind = FileKind::kSymlink;
  link.symlink_target = "../a";
  delta.set("Windows/gone.txt", gone);
  delta.set("Windows/dir", dir);
  delta.set("Windows/link", link);
  StateDelta back = StateDelta::from_json(delta.to_json());
  EXPECT_EQ(back.find("Windows/gone.txt")->kind, FileKind::kAbsent);
  EXPECT_EQ(back.find("Windows/dir")->kind, FileKind::kDirectory);
  EXPECT_EQ(back.find("Windows/link")->kind, FileKind::kSymlink);
  EXPECT_NE(delta.to_json().dump().find(R"("kind":"deleted")"), std::string::npos);
}

}  // namespace
}  // namespace dismake
