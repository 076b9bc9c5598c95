#include "dismake/media/usb_image.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "dismake/base/clock.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/trailing_writeback.h"
#include "dismake/base/unique_fd.h"
#include "dismake/media/boot_files.h"
#include "tool_process.h"

namespace dismake {

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kSector = 512;
constexpr std::uint64_t kPartitionStart = kMiB;     // 1 MiB: aligned, as Windows and Rufus do
constexpr std::uint64_t kMinPartition = 64 * kMiB;  // FAT32 needs 65525 clusters

struct UsbFile {
  std::string path;  // in the image
  fs::path source;
  std::uint64_t size = 0;
};

std::vector<UsbFile> image_files(const MediaTree& tree, const UsbRequest& request) {
  std::set<std::string> omitted;
  for (const std::string& path : request.omitted)
    if (const MediaFile* file = tree.find(path)) omitted.insert(file->path);
  std::vector<UsbFile> files;
  for (const MediaFile& file : tree.files)
    if (omitted.count(file.path) == 0) files.push_back({file.path, file.source, file.size});
  for (const MediaFile& file : request.extra_files)
    files.push_back({file.path, file.source, file.size});
  std::sort(files.begin(), files.end(),
            [](const UsbFile& a, const UsbFile& b) { return a.path < b.path; });
  return files;
}

// The partition: the files in 32 KiB clusters (mkfs.fat's choice for such
// sizes), the two FATs, 5% and 16 MiB to spare; whole MiB.
std::uint64_t partition_size(const std::vector<UsbFile>& files, std::size_t dirs) {
  constexpr std::uint64_t kCluster = 32 * 1024;
  std::uint64_t data = (dirs + 1) * kCluster;
  for (const UsbFile& file : files) data += (file.size + kCluster - 1) / kCluster * kCluster;
  std::uint64_t size = data + data / 20 + 16 * kMiB;
  size = (size + kMiB - 1) / kMiB * kMiB;
  return std::max(size, kMinPartition);
}

void put_le32(unsigned char* at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<unsigned char>(value >> (8 * i));
}

// The MBR: no boot code, a disk signature, one active FAT32 (LBA)
// partition. CHS fields say "use LBA" (FE FF FF), as tools do for disks
// past 8 GB.
void write_mbr(const fs::path& image, std::uint64_t partition_bytes, std::uint32_t signature) {
  unsigned char mbr[512] = {};
  put_le32(mbr + 440, signature);
  unsigned char* entry = mbr + 446;
  entry[0] = 0x80;  // active
  entry[1] = 0xFE;
  entry[2] = 0xFF;
  entry[3] = 0xFF;
  entry[4] = 0x0C;  // FAT32 with LBA
  entry[5] = 0xFE;
  entry[6] = 0xFF;
  entry[7] = 0xFF;
  put_le32(entry + 8, static_cast<std::uint32_t>(kPartitionStart / kSector));
  put_le32(entry + 12, static_cast<std::uint32_t>(partition_bytes / kSector));
  mbr[510] = 0x55;
  mbr[511] = 0xAA;
  UniqueFd fd(::open(image.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open", image.string(), errno);
  if (::pwrite(fd.get(), mbr, sizeof mbr, 0) != static_cast<ssize_t>(sizeof mbr))
    throw_errno("write the partition table of", image.string(), errno);
}

void run_or_throw(const std::vector<std::string>& argv, const std::string& epoch,
                  const std::string& package, const fs::path& output) {
  ToolResult run =
      run_tool(argv, {{"SOURCE_DATE_EPOCH", epoch}, {"MTOOLS_SKIP_CHECK", "1"}}, package);
  if (run.exit_code != 0)
    throw Error(hr::kFail,
                argv[0] + " could not write the USB image " + output.string() + ": " +
                    tool_output_tail(run.output),
                "see the message above; the output was left as it was");
}

// The parent folders of `files`, each once, parents first.
std::vector<std::string> folders_of(const std::vector<UsbFile>& files) {
  std::set<std::string> folders;
  for (const UsbFile& file : files) {
    std::string path = file.path;
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1))
      folders.insert(path.substr(0, slash));
  }
  return {folders.begin(), folders.end()};  // sorted: "a" before "a/b"
}

}  // namespace

void check_fat_label(const std::string& label) {
  bool ok = !label.empty() && label.size() <= 11;
  for (char c : label)
    ok = ok && (std::isupper(static_cast<unsigned char>(c)) ||
                std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok)
    throw Error(hr::kInvalidArg, "the volume label '" + label + "' is not usable on FAT32",
                "give 1 to 11 upper-case letters, digits, '_' or '-' (e.g. ESD-USB)");
}

UsbResult write_usb_image(const MediaTree& tree, const UsbRequest& request) {
  check_fat_label(request.label);
  find_usb_boot_file(tree);
  std::vector<UsbFile> files = image_files(tree, request);
  for (const UsbFile& file : files)
    if (file.size > kFat32MaxFileSize)
      throw Error(hr::kInvalidArg,
                  file.path + " (" + std::to_string(file.size / kMiB) +
                      " MiB) is larger than FAT32's 4 GiB limit",
                  "split it: install.wim is split into install.swm parts by itself; give "
                  "another file a smaller size");
  fs::path output = absolute_path(request.output);
  if (is_within(output, absolute_path(tree.root)))
    throw Error(hr::kInvalidArg,
                "the USB image " + output.string() + " would be inside the media folder " +
                    tree.root.string() + " it is written from",
                "write it elsewhere");
  std::vector<std::string> folders = folders_of(files);
  UsbResult result;
  result.partition_bytes = partition_size(files, folders.size());
  result.bytes = kPartitionStart + result.partition_bytes;
  result.files = files.size();
  result.date = reproducible_time(request.date);
  fs::create_directories(output.parent_path());
  require_free_space(output.parent_path(), result.bytes, "the USB image " + output.string());

  // Identities derived from what the image holds, as WIM outputs' GUIDs.
  Sha256 digest;
  digest.add("usb").add(request.label).add(std::to_string(result.date));
  for (const UsbFile& file : files) digest.add(file.path).add(std::to_string(file.size));
  std::string hex = digest.hex();
  std::uint32_t volume_id = static_cast<std::uint32_t>(std::stoul(hex.substr(0, 8), nullptr, 16));
  std::uint32_t signature = static_cast<std::uint32_t>(std::stoul(hex.substr(8, 8), nullptr, 16));
  std::string epoch = std::to_string(result.date);

  replace_through_temporary(output, [&](const fs::path& temporary) {
    {
      UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd.get() < 0) throw_errno("create", temporary.string(), errno);
      if (::ftruncate(fd.get(), static_cast<off_t>(result.bytes)) != 0)
        throw_errno("size", temporary.string(), errno);
    }
    write_mbr(temporary, result.partition_bytes, signature);
    {
      // mkfs.fat and mtools write the partition, one tool after the other.
      TrailingWriteback writeback(temporary);
      char id[16];
      std::snprintf(id, sizeof id, "%08X", volume_id);
      // The label is written by mlabel, not mkfs.fat: mkfs.fat dates the
      // label's directory entry with the current time whatever
      // SOURCE_DATE_EPOCH says, mtools with SOURCE_DATE_EPOCH.
      run_or_throw(
          {"mkfs.fat", "-F", "32", "-i", id, "--offset", std::to_string(kPartitionStart / kSector),
           temporary.string(), std::to_string(result.partition_bytes / 1024)},
          epoch, "dosfstools", output);
      std::string drive = temporary.string() + "@@" + std::to_string(kPartitionStart);
      run_or_throw({"mlabel", "-i", drive, "::" + request.label}, epoch, "mtools", output);
      if (!folders.empty()) {
        std::vector<std::string> mmd = {"mmd", "-i", drive};
        for (const std::string& folder : folders) mmd.push_back("::/" + folder);
        run_or_throw(mmd, epoch, "mtools", output);
      }
      // One mcopy per file: each may come from anywhere (a replaced file, a
      // part) and keeps the media's name.
      for (const UsbFile& file : files)
        run_or_throw({"mcopy", "-i", drive, "-D", "o", file.source.string(), "::/" + file.path},
                     epoch, "mtools", output);
    }
    fsync_path(temporary);
  });
  return result;
}

}  // namespace dismake
