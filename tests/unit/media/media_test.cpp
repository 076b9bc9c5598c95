// The media layer's own logic, without the tools it drives: what the
// volume descriptors of an image say, how a media tree finds files without
// case and applies REPLACE, and how a media step names why it ran.
#include <gtest/gtest.h>

#include <fstream>

#include "dismake/base/error.h"
#include "dismake/media/boot_files.h"
#include "dismake/media/media_image.h"
#include "dismake/media/media_record.h"
#include "dismake/media/media_tree.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;
using test::write_text;

// An image file whose sector 16 on holds `descriptors` (5-byte ids with a
// type byte before each), then a terminator.
void write_descriptors(const fs::path& path,
                       const std::vector<std::pair<unsigned char, std::string>>& descriptors) {
  std::string image(64 * 2048, '\0');
  std::size_t sector = 16;
  for (const auto& [type, id] : descriptors) {
    std::size_t at = sector++ * 2048;
    image[at] = static_cast<char>(type);
    image.replace(at + 1, 5, id);
    if (id == "CD001" && type == 1) {
      image.replace(at + 40, 32, std::string("CONTOSO_LABEL") + std::string(19, ' '));
      image.replace(at + 813, 16, "2023111422132000");
      image[at + 813 + 16] = 0;  // GMT
    }
  }
  std::ofstream(path, std::ios::binary) << image;
}

TEST(ProbeMediaImage, ReadsLabelDateAndWhichFileSystems) {
  ScratchDir dir;
  write_descriptors(dir / "udf.iso",
                    {{1, "CD001"}, {255, "CD001"}, {0, "BEA01"}, {0, "NSR02"}, {0, "TEA01"}});
  MediaVolume volume = probe_media_image(dir / "udf.iso");
  EXPECT_TRUE(volume.has_iso9660);
  EXPECT_TRUE(volume.has_udf);
  EXPECT_EQ(volume.label, "CONTOSO_LABEL");
  EXPECT_EQ(volume.date, 1700000000);

  write_descriptors(dir / "plain.iso", {{1, "CD001"}, {255, "CD001"}});
  EXPECT_FALSE(probe_media_image(dir / "plain.iso").has_udf);
}

TEST(ProbeMediaImage, RefusesWhatIsNoIso) {
  ScratchDir dir;
  write_text(dir / "text.iso", std::string(100000, 'x'));
  test::expect_error(hr::kBadFormat, [&] { probe_media_image(dir / "text.iso"); });
  write_text(dir / "short.iso", "CD001");
  test::expect_error(hr::kBadFormat, [&] { probe_media_image(dir / "short.iso"); });
}

TEST(MediaTree, FindsWithoutCaseAndReplaces) {
  ScratchDir dir;
  fs::create_directories(dir / "media/Sources");
  fs::create_directories(dir / "media/boot");
  write_text(dir / "media/Sources/Install.wim", "old");
  write_text(dir / "media/boot/etfsboot.com", "boot");
  write_text(dir / "pro.wim", "serviced");
  MediaTree tree = list_media_tree(dir / "media", {{"sources\\install.wim", dir / "pro.wim"}});
  const MediaFile* wim = tree.find("/SOURCES/INSTALL.WIM");
  ASSERT_NE(wim, nullptr);
  EXPECT_EQ(wim->path, "Sources/Install.wim");  // the media's spelling is kept
  EXPECT_EQ(wim->source, dir / "pro.wim");
  EXPECT_EQ(wim->size, 8u);
  EXPECT_TRUE(wim->replaced);
  EXPECT_EQ(tree.dirs, (std::vector<std::string>{"Sources", "boot"}));

  test::expect_error(hr::kPathNotFound, [&] {
    list_media_tree(dir / "media", {{"sources/install2.wim", dir / "pro.wim"}});
  });
  test::expect_error(hr::kFileNotFound, [&] {
    list_media_tree(dir / "media", {{"sources/install.wim", dir / "missing.wim"}});
  });
}

TEST(BootFiles, NameTheMissingFileAndItsFirmware) {
  ScratchDir dir;
  fs::create_directories(dir / "media/boot");
  write_text(dir / "media/boot/etfsboot.com", "boot");
  MediaTree tree = list_media_tree(dir / "media", {});
  Error error = test::error_of([&] { find_iso_boot_files(tree, false); });
  EXPECT_EQ(error.code(), hr::kFileNotFound);
  EXPECT_NE(error.problem().find("efi/microsoft/boot/efisys.bin"), std::string::npos);
  EXPECT_NE(error.problem().find("UEFI"), std::string::npos);
}

TEST(WhyInputsChanged, NamesTheFirstDifferenceInOrder) {
  ScratchDir dir;
  fs::path record = dir / "inputs.json";
  nlohmann::json inputs = {{"options", {{"label", "A"}}},
                           {"sources", {{"win.iso", "1:2:3"}}},
                           {"files", {{"setup.exe", "1:1:/m/setup.exe"}}}};
  EXPECT_EQ(why_inputs_changed(record, inputs), "first build");
  write_inputs_record(record, inputs);
  EXPECT_EQ(why_inputs_changed(record, inputs), "");

  nlohmann::json changed = inputs;
  changed["files"]["setup.exe"] = "2:1:/m/setup.exe";
  changed["sources"]["win.iso"] = "1:2:4";
  EXPECT_EQ(why_inputs_changed(record, changed), "media win.iso changed");
  changed["options"]["label"] = "B";
  EXPECT_EQ(why_inputs_changed(record, changed), "option label changed (\"A\" -> \"B\")");

  nlohmann::json added = inputs;
  added["files"]["new.txt"] = "1:1:/m/new.txt";
  EXPECT_EQ(why_inputs_changed(record, added), "input new.txt added");
  nlohmann::json removed = inputs;
  removed["files"].erase("setup.exe");
  EXPECT_EQ(why_inputs_changed(record, removed), "input setup.exe removed");
}

}  // namespace
}  // namespace dismake
