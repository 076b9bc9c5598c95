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
  const CommitOutput& output = request.output;
  digest.add(output.compression ? compression_name(*output.compression) : "same");
  digest.add(output.write.solid ? "solid" : "").add(output.write.check_integrity ? "check" : "");
  digest.add(output.boot_index ? std::to_string(*output.boot_index) : "");
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
// (or, on a new base, the base copied over it) when its record says it is
// ours, else a copy (or reflink) of the base.
WorkFileOrigin prepare_work_file(const CommitOutput& output, const fs::path& work,
                                 std::uint64_t new_content_bytes,
                                 std::optional<BackgroundWriteback>& writeback) {
  PreviousOutputUse previous = reuse_previous_output(output, work, new_content_bytes);
  if (previous == PreviousOutputUse::kReset) return WorkFileOrigin::kPreviousOutputReset;
  WorkFileOrigin origin = WorkFileOrigin::kPreviousOutputOverwritten;
  if (previous == PreviousOutputUse::kNone) {
    copy_file_durable(output.source, work, /*durable=*/false);
    origin = WorkFileOrigin::kBaseCopied;
  }
  // Not synced here: it is synced before it is renamed, and its writeback
  // runs meanwhile, while wimlib works.
  writeback.emplace(work);
  return origin;
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

namespace {

// Refuses a directory for the output, makes its parent, and removes what
// killed writers left beside it.
void prepare_output_path(const fs::path& output) {
  std::error_code ec;
  if (fs::is_directory(output, ec))
    throw Error(hr::kInvalidArg, "the output '" + output.string() + "' is a directory",
                "give the path of a .wim file to write");
  if (output.has_parent_path()) fs::create_directories(output.parent_path());
  remove_stale_temporaries(output);
}

// One write of an output, in its phases, which write_wim_output runs in
// order. The members are declared in the order their files must go on a
// failure: the staged files before the work file, which goes last.
class OutputWrite {
 public:
  explicit OutputWrite(const WimOutputRequest& request)
      : request_(request), output_(request.output), work_(temporary_sibling(output_.path)) {}

  void prepare();
  void open();
  void make_packs();
  void apply();
  void write();
  WimOutputResult finish();

 private:
  const fs::path& written_file() const { return rewritten_ ? rewritten_->path() : work_.path(); }

  const WimOutputRequest& request_;
  const CommitOutput& output_;
  WimOutputResult result_;
  TemporaryFile work_;
  std::optional<BackgroundWriteback> writeback_;
  // wimlib reads staged files when it writes: they stay until the end.
  std::optional<StagingDirectory> staging_;
  BaseVersionVolumes base_versions_;
  // Freed after the write: pinning opens the written file again, and
  // wimlib's copy of the image is most of a commit's memory.
  std::optional<WimFile> wim_;
  std::int64_t when_ = 0;
  std::string guid_;
  bool rewrite_ = false;
  bool append_ = false;
  std::optional<ContentPacks> packs_;
  std::vector<fs::path> pack_files_;
  std::optional<TemporaryFile> rewritten_;  // the new file of a rewrite
};

// The work file is made on a thread of its own while the base versions are
// staged from the source, which has the same bytes: a copy is the kernel's
// work, the staging wimlib's, and a clean build pays both.
void OutputWrite::prepare() {
  std::uint64_t content_bytes = new_content_bytes(request_.plan);
  std::future<WorkFileOrigin> work_ready = std::async(std::launch::async, [&] {
    PhaseTimer preparing("commit: work file (reset or copy)");
    return prepare_work_file(output_, work_.path(), content_bytes, writeback_);
  });
  staging_.emplace(request_.staging_dir);
  {
    BaseVersionCache cache(request_.base_versions_dir, request_.base_identity);
    base_versions_ = stage_base_version_volumes(output_.source, request_.image, request_.plan,
                                                staging_->path(), cache);
  }
  result_.work_file = work_ready.get();
}

// Another compression, or a solid archive, means every stream is written
// anew: a full write. COMPACT: the in-place compacting write, no garbage.
// Otherwise an append, which the next commit can undo (previous_output.h).
void OutputWrite::open() {
  wim_.emplace(WimFile::open(work_.path(), /*writable=*/true));
  when_ = reproducible_time(wim_->image_modification_time(request_.image));
  guid_ = content_digest(request_, wim_->info().guid, when_);
  if (output_.boot_index) wim_->set_boot_index(*output_.boot_index);
  rewrite_ = output_.rewrites(wim_->info().compression);
  append_ = output_.appends(wim_->info().compression);
}

// Made before wimlib loads the image's metadata: their compressors (one
// per core, 6 MB each at the default level) and the image never share the
// commit's memory.
void OutputWrite::make_packs() {
  packs_.emplace(append_ ? request_.packs_dir : fs::path());
  PhaseTimer timer("commit: content packs made");
  pack_files_ = packs_->for_plan(request_.plan, wim_->info());
  release_free_memory();
}

void OutputWrite::apply() {
  {
    PhaseTimer timer("commit: plan applied (staging and updates)");
    apply_commit_plan(*wim_, request_.image, request_.plan, staging_->path(), when_,
                      base_versions_);
  }
  for (const auto& [name, value] : request_.properties)
    wim_->set_property(request_.image, name, value);
  wim_->set_image_times(request_.image, when_);
  PhaseTimer timer("commit: content packs used");
  wim_->use_packs(request_.image, pack_files_);
}

void OutputWrite::write() {
  if (rewrite_) rewritten_.emplace(temporary_sibling(output_.path));
  // What the staging and updates freed, before the write allocates its
  // metadata buffer (6 MB for a 41k-file image).
  release_free_memory();
  PhaseTimer writing("commit: wimlib write");
  if (rewrite_) {
    Compression compression =
        output_compression(output_.compression, output_.write.solid, wim_->info().compression);
    wim_->write_to(written_file(), compression, output_.write, request_.progress);
  } else if (output_.compact) {
    wim_->overwrite_compact(output_.write, request_.progress);
  } else {
    wim_->overwrite_append(output_.write, request_.progress);
  }
  writing.stop();
  wim_.reset();
  release_free_memory();
}

// The written file's identity pinned, synced and renamed over the output;
// the record kept for the next commit to reset it.
WimOutputResult OutputWrite::finish() {
  PhaseTimer finishing("commit: identity pinned, synced and renamed");
  const fs::path& file = written_file();
  result_.reclaimable = pin_and_measure(file, guid_, request_.image, when_);
  writeback_.reset();
  fsync_path(file);
  if (request_.before_rename) request_.before_rename(file);
  rename_durable(file, output_.path);
  finishing.stop();
  (rewritten_ ? *rewritten_ : work_).release();  // the other one is deleted
  packs_->drop_unused();
  // Only an append that changed the image is undone by truncation: a
  // properties-only write rewrites the base's XML in place.
  if (output_.record_file && append_ && !request_.plan.empty())
    OutputRecord::of(output_.path, output_.source).save(*output_.record_file);
  return result_;
}

}  // namespace

const char* describe(WorkFileOrigin origin) {
  switch (origin) {
    case WorkFileOrigin::kBaseCopied:
      return "a copy of the base";
    case WorkFileOrigin::kPreviousOutputReset:
      return "the previous output, reset to the base";
    case WorkFileOrigin::kPreviousOutputOverwritten:
      return "the previous output, the new base copied over it";
  }
  return "";
}

WimOutputResult write_wim_output(const WimOutputRequest& request) {
  prepare_output_path(request.output.path);
  OutputWrite write(request);
  write.prepare();
  write.open();
  write.make_packs();
  write.apply();
  write.write();
  return write.finish();
}

}  // namespace dismake
