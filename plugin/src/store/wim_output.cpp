#include "dismake/store/wim_output.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/clock.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/free_memory.h"
#include "dismake/base/phase_timer.h"
#include "dismake/store/content_packs.h"
#include "dismake/store/previous_output.h"
#include "dismake/wim/wim_file.h"
#include "dismake/wim/wim_header.h"

namespace dismake {

namespace {

// Deletes a temporary file unless released: whatever fails, no partial
// output is left behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  ~TemporaryFile() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// An emptied directory for one write's staged files, removed afterwards.
class StagingDirectory {
 public:
  explicit StagingDirectory(fs::path path) : path_(std::move(path)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~StagingDirectory() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool process_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

void remove_stale_temporaries(const fs::path& output) {
  const std::string prefix = output.filename().string() + ".tmp-";
  std::error_code ec;
  fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (!process_alive(pid)) fs::remove(it->path(), ec);
  }
}

namespace {

// What the output will hold, as a digest: the source image, the plan (with
// the content hashes of what it writes), the properties and the options.
std::string content_digest(const WimOutputRequest& request, const std::string& source_guid,
                           std::int64_t when) {
  Sha256 digest;
  digest.add(source_guid).add(std::to_string(request.image)).add(std::to_string(when));
  digest.add(request.plan.digest());
  for (const auto& [name, value] : request.properties) digest.add(name).add(value);
  digest.add(request.compression ? compression_name(*request.compression) : "same");
  digest.add(request.write.solid ? "solid" : "").add(request.write.check_integrity ? "check" : "");
  digest.add(request.boot_index ? std::to_string(*request.boot_index) : "");
  return digest.hex().substr(0, 32);
}

}  // namespace

namespace {

// The bytes of `file` a compacting rewrite drops (what `wimlib-imagex
// optimize` frees): the replaced metadata, the blobs no image references
// any more (with their blob table entries), and the holes between.
std::uint64_t unreferenced_bytes(const WimFile& wim, const fs::path& file) {
  constexpr std::uint64_t kBlobTableEntrySize = 50;  // a WIM blob table entry, on disk
  WimHeader header = WimHeader::read(file);
  WimFile::BlobTableUse use = wim.blob_table_use();
  std::uint64_t dead_entries = use.unreferenced_blobs * kBlobTableEntrySize;
  std::uint64_t table =
      header.blob_table.size > dead_entries ? header.blob_table.size - dead_entries : 0;
  std::uint64_t used =
      WimHeader::kSize + use.referenced_bytes + table + header.xml.size + header.integrity.size;
  std::uint64_t size = fs::file_size(file);
  return size > used ? size - used : 0;
}

// Pins the identity (see pin_identity) and returns the reclaimable bytes,
// with one open of the file.
std::uint64_t pin_and_measure(const fs::path& file, const std::string& guid, int image,
                              std::int64_t when) {
  WimFile written = WimFile::open(file, /*writable=*/true);
  written.set_guid(guid);
  if (image > 0) written.set_image_times(image, when);
  written.overwrite_metadata();
  return unreferenced_bytes(written, file);
}

// The file the update is applied to: the previous output reset to the base
// when the record says it can be, else a copy (or reflink) of the base.
bool prepare_work_file(const WimOutputRequest& request, const fs::path& work,
                       std::uint64_t new_content_bytes,
                       std::optional<BackgroundWriteback>& writeback) {
  if (request.record_file && request.output != request.source &&
      reset_previous_output(*request.record_file, request.source, request.output, work,
                            new_content_bytes))
    return true;
  // Not synced here: it is synced before it is renamed, and its writeback
  // runs meanwhile, while wimlib works.
  copy_file_durable(request.source, work, /*durable=*/false);
  writeback.emplace(work);
  return false;
}

// The size of the files `plan` writes, each content once.
std::uint64_t new_content_bytes(const CommitPlan& plan) {
  std::map<std::string, std::uint64_t> by_content;
  for (const auto* files : {&plan.replaced, &plan.created})
    for (const StagedFile& f : *files) {
      std::error_code ec;
      std::uint64_t size = fs::file_size(f.content, ec);
      if (!ec) by_content[f.sha1.empty() ? f.content.string() : f.sha1] = size;
    }
  std::uint64_t total = 0;
  for (const auto& [content, size] : by_content) total += size;
  return total;
}

}  // namespace

void pin_identity(const fs::path& file, const std::string& guid, int image, std::int64_t when) {
  pin_and_measure(file, guid, image, when);
}

WimOutputResult write_wim_output(const WimOutputRequest& request) {
  std::error_code ec;
  if (fs::is_directory(request.output, ec))
    throw Error(hr::kInvalidArg, "the output '" + request.output.string() + "' is a directory",
                "give the path of a .wim file to write");
  if (request.output.has_parent_path()) fs::create_directories(request.output.parent_path());
  remove_stale_temporaries(request.output);

  WimOutputResult result;
  TemporaryFile work(temporary_sibling(request.output));
  // The work file is made on a thread of its own while the base versions are
  // staged from the source, which has the same bytes: a copy is the kernel's
  // work, the staging wimlib's, and a clean build pays both.
  std::optional<BackgroundWriteback> writeback;
  std::uint64_t content_bytes = new_content_bytes(request.plan);
  std::future<bool> work_ready = std::async(std::launch::async, [&] {
    PhaseTimer preparing("commit: work file (reset or copy)");
    return prepare_work_file(request, work.path(), content_bytes, writeback);
  });
  // wimlib reads staged files when it writes: they stay until the end.
  StagingDirectory staging(request.staging_dir);
  BaseVersionVolumes base_versions;
  {
    BaseVersionCache cache(request.base_versions_dir, request.base_identity);
    base_versions = stage_base_version_volumes(request.source, request.image, request.plan,
                                               staging.path(), cache);
  }
  result.reused_previous = work_ready.get();
  // Freed after the write: pinning opens the written file again, and wimlib's
  // copy of the image is most of a commit's memory.
  std::optional<WimFile> wim(WimFile::open(work.path(), /*writable=*/true));
  std::int64_t when = reproducible_time(wim->image_modification_time(request.image));
  std::string guid = content_digest(request, wim->info().guid, when);
  if (request.boot_index) wim->set_boot_index(*request.boot_index);

  // Another compression, or a solid archive, means every stream is written
  // anew: a full write. COMPACT: the in-place compacting write, no garbage.
  // Otherwise an append, which the next commit can undo (previous_output.h).
  bool rewrite = (request.compression && *request.compression != wim->info().compression) ||
                 request.write.solid;
  bool append = !rewrite && !request.compact;
  ContentPacks packs(append ? request.packs_dir : fs::path());
  std::vector<fs::path> pack_files;
  {
    // Made before wimlib loads the image's metadata: their compressors (one
    // per core, 6 MB each at the default level) and the image never share
    // the commit's memory.
    PhaseTimer timer("commit: content packs made");
    pack_files = packs.for_plan(request.plan, wim->info());
    release_free_memory();
  }
  {
    PhaseTimer timer("commit: plan applied (staging and updates)");
    apply_commit_plan(*wim, request.image, request.plan, staging.path(), when, base_versions);
  }
  for (const auto& [name, value] : request.properties)
    wim->set_property(request.image, name, value);
  wim->set_image_times(request.image, when);
  {
    PhaseTimer timer("commit: content packs used");
    wim->use_packs(request.image, pack_files);
  }
  TemporaryFile rewritten(rewrite ? temporary_sibling(request.output) : fs::path());
  const fs::path& file = rewrite ? rewritten.path() : work.path();
  // What the staging and updates freed, before the write allocates its
  // metadata buffer (6 MB for a 41k-file image).
  release_free_memory();
  PhaseTimer writing("commit: wimlib write");
  if (rewrite) {
    Compression compression =
        output_compression(request.compression, request.write.solid, wim->info().compression);
    wim->write_to(file, compression, request.write, request.progress);
  } else if (request.compact) {
    wim->overwrite_compact(request.write, request.progress);
  } else {
    wim->overwrite_append(request.write, request.progress);
  }
  writing.stop();
  wim.reset();
  release_free_memory();
  PhaseTimer finishing("commit: identity pinned, synced and renamed");
  result.reclaimable = pin_and_measure(file, guid, request.image, when);
  writeback.reset();
  fsync_path(file);
  rename_durable(file, request.output);
  finishing.stop();
  (rewrite ? rewritten : work).release();  // the other one is deleted
  packs.drop_unused();
  // Only an append that changed the image is undone by truncation: a
  // properties-only write rewrites the base's XML in place.
  bool resettable = append && !request.plan.empty() && request.output != request.source;
  if (request.record_file && resettable)
    OutputRecord::of(request.output, request.source).save(*request.record_file);
  return result;
}

}  // namespace dismake
