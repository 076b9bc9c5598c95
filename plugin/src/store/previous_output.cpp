#include "dismake/store/previous_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/unique_fd.h"
#include "dismake/wim/wim_header.h"

namespace dismake {

using nlohmann::json;

namespace {

constexpr std::uint64_t kTailBytes = 64 * 1024;

// `size` bytes of `path` from `offset` ("" when it cannot be read).
std::string read_range(const fs::path& path, std::uint64_t offset, std::uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string data(size, '\0');
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, data.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  data.resize(done);
  return data;
}

std::string digest_of_ends(const fs::path& path, std::uint64_t size) {
  std::uint64_t tail = size < kTailBytes ? size : kTailBytes;
  Sha256 digest;
  digest.add(read_range(path, 0, WimHeader::kSize)).add(read_range(path, size - tail, tail));
  return digest.hex();
}

json fingerprint_json(const FileFingerprint& fp) {
  return {{"size", fp.size}, {"mtime_ns", fp.mtime_ns}, {"inode", fp.inode}};
}

FileFingerprint fingerprint_from(const json& j) {
  return {j.at("size").get<std::uint64_t>(), j.at("mtime_ns").get<std::int64_t>(),
          j.at("inode").get<std::uint64_t>()};
}

// The output is still the file its record describes (not replaced, not
// written to, not a second name of another file).
bool output_is_as_recorded(const OutputRecord& record, const fs::path& output) {
  struct stat st {};
  if (::stat(output.c_str(), &st) != 0) return false;
  FileFingerprint now = FileFingerprint::of(st);
  return now == record.file && st.st_nlink == 1 &&
         digest_of_ends(output, now.size) == record.ends_digest;
}

// Truncates `work` to the base's length and writes the base's header back;
// true when its tables are then the base's (an append never wrote before
// the base's end: this checks it did not, e.g. for a base with trailing
// bytes after its tables).
bool truncate_to_base(const fs::path& work, const fs::path& base) {
  WimHeader header = WimHeader::read(base);
  std::uint64_t size = fs::file_size(base);
  if (header.tables_end() != size) return false;
  if (::truncate(work.c_str(), static_cast<off_t>(size)) != 0)
    throw_errno("truncate", work.string(), errno);
  header.write_to(work);
  std::uint64_t from = header.blob_table.offset;
  return read_range(work, from, size - from) == read_range(base, from, size - from);
}

}  // namespace

OutputRecord OutputRecord::of(const fs::path& output, const fs::path& base) {
  OutputRecord record;
  record.output = output;
  record.file = FileFingerprint::of(output);
  record.ends_digest = digest_of_ends(output, record.file.size);
  record.base = FileFingerprint::of(base);
  return record;
}

std::optional<OutputRecord> OutputRecord::load(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    json j = json::parse(read_file(file));
    OutputRecord record;
    record.output = j.at("output").get<std::string>();
    record.file = fingerprint_from(j.at("file"));
    record.ends_digest = j.at("ends_digest").get<std::string>();
    record.base = fingerprint_from(j.at("base"));
    return record;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void OutputRecord::save(const fs::path& path) const {
  fs::create_directories(path.parent_path());
  json j = {{"output", output.string()},
            {"file", fingerprint_json(file)},
            {"ends_digest", ends_digest},
            {"base", fingerprint_json(base)}};
  write_file_atomic(path, j.dump(2) + "\n");
}

fs::path output_record_file(const MountPaths& paths, const fs::path& output) {
  return paths.output_records_dir() / (sha256_hex(output.string()).substr(0, 16) + ".json");
}

namespace {
// Refuses, before the previous output is touched, an append the output's
// filesystem has no room for: its new content at full size (packs and the
// write compress it, so this is more than it takes) and a megabyte for the
// tables. The metadata is counted as taking the room the previous append,
// which the reset truncates away, took.
void require_room_for_append(const fs::path& output, std::uint64_t new_content_bytes) {
  constexpr std::uint64_t kTables = 1 << 20;
  fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return;  // the write will say what is wrong
  std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  std::uint64_t needed = new_content_bytes + kTables;
  if (free >= needed) return;
  auto mib = [](std::uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20); };
  throw Error(hr::kDiskFull,
              "no space left on " + filesystem_of(output.string()) + " for the commit to '" +
                  output.string() + "': it needs up to " + mib(needed) + " MiB, " + mib(free) +
                  " MiB are free",
              "free space there (or commit to an --output elsewhere), then run the command "
              "again; the previous output was left as it was");
}
}  // namespace

namespace {

// Writes the base over `work` (the previous output of another base) in the
// blocks it has: no new file is allocated and none freed, which on a
// filesystem mounted with `discard` costs as much as the copy itself.
bool overwrite_with_base(const fs::path& work, const fs::path& base) {
  UniqueFd in(::open(base.c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd out(::open(work.c_str(), O_WRONLY | O_CLOEXEC));
  struct stat st {};
  if (in.get() < 0 || out.get() < 0 || ::fstat(in.get(), &st) != 0) return false;
  return copy_file_data(in.get(), out.get(), st.st_size) == 0;
}

}  // namespace

PreviousOutputUse reuse_previous_output(const CommitOutput& commit_output, const fs::path& work,
                                        std::uint64_t new_content_bytes) {
  if (!commit_output.record_file) return PreviousOutputUse::kNone;
  const fs::path& record_file = *commit_output.record_file;
  const fs::path& base = commit_output.source;
  const fs::path& output = commit_output.path;
  std::optional<OutputRecord> record = OutputRecord::load(record_file);
  std::error_code ec;
  if (!record || record->output != output || !output_is_as_recorded(*record, output)) {
    fs::remove(record_file, ec);
    return PreviousOutputUse::kNone;
  }
  bool same_base = false;
  std::uint64_t base_size = 0;
  try {
    FileFingerprint now = FileFingerprint::of(base);
    same_base = now == record->base && record->file.size >= now.size;
    base_size = now.size;
  } catch (const Error&) {
    fs::remove(record_file, ec);
    return PreviousOutputUse::kNone;
  }
  // Another base may be larger than the previous output.
  std::uint64_t growth = base_size > record->file.size ? base_size - record->file.size : 0;
  require_room_for_append(output, new_content_bytes + growth);
  // Gone before the output changes: a record never outlives its file.
  fs::remove(record_file, ec);
  if (::rename(output.c_str(), work.c_str()) != 0) return PreviousOutputUse::kNone;
  bool reused = false;
  try {
    reused = same_base ? truncate_to_base(work, base) : overwrite_with_base(work, base);
  } catch (const Error&) {
    reused = false;
  }
  if (!reused) {
    fs::remove(work, ec);
    return PreviousOutputUse::kNone;
  }
  return same_base ? PreviousOutputUse::kReset : PreviousOutputUse::kOverwritten;
}

}  // namespace dismake
