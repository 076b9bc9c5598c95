#include "dismake/store/mount_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "dismake/base/phase_timer.h"
#include "dismake/base/temporary_directory.h"
#include "dismake/store/base_image.h"
#include "dismake/store/base_verification.h"
#include "dismake/store/commit_output.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/store/tree_index.h"
#include "dismake/store/wim_output.h"
#include "incomplete_mount.h"
#include "state_view.h"

namespace dismake {

namespace {

bool directory_is_empty(const fs::path& dir) {
  std::error_code ec;
  return fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

// Extracts the base into the (empty) mount directory, unless the mount is
// lazy, and records its index and base state.
// A read-only mount's tree loses its write bits before it is indexed (the
// change of mode is a change of ctime).
// A full mount writes every name of the image into a Linux directory, whose
// names are at most NAME_MAX (255) bytes; NTFS allows 255 UTF-16 characters,
// up to 765 bytes of UTF-8. Refused before anything is written, naming the
// file: a lazy mount never writes names no step touches.
void refuse_names_linux_cannot_store(const BaseImage& base, const fs::path& wim) {
  base.listing.for_each([&](std::string_view path, const BaseEntry&) {
    size_t slash = path.rfind('/');
    size_t length = path.size() - (slash == std::string_view::npos ? 0 : slash + 1);
    if (length > NAME_MAX)
      throw Error(hr::kFilenameTooLong,
                  "'" + std::string(path) + "' in '" + wim.string() + "' has a name of " +
                      std::to_string(length) + " bytes (UTF-8), longer than Linux allows (" +
                      std::to_string(NAME_MAX) + ")",
                  "mount it with --lazy: a lazy mount extracts only what the steps touch and "
                  "keeps this file as the image has it");
  });
}

// The WIM is closed before the index and the listing are built.
void extract_base(BaseImage& base, const MountPaths& paths, const MountOptions& options) {
  bool lazy = options.lazy;
  if (!lazy) base.wim->extract_image(base.image, paths.mount_dir, options.progress);
  base.close_wim();
  if (options.read_only) make_tree_read_only(paths.mount_dir);
  if (lazy) {
    TreeIndex().save(paths.index_file());
  } else {
    TreeIndex::build(paths.mount_dir, base.listing).save(paths.index_file());
  }
  initialize_mount_records(paths, base.listing, base.identity, lazy);
}

// Undoes a mount that failed half-way, so a failed mount leaves nothing.
// It owns the record directory (claimed atomically) and, once extraction
// began, what is in the mount directory; never anything another process made.
class MountRollback {
 public:
  MountRollback(const MountRegistry& registry, const MountPaths& paths)
      : registry_(registry), paths_(paths) {}
  ~MountRollback() {
    if (done_) return;
    std::error_code ec;
    try {
      if (created_dir_) {
        remove_recursively(paths_.mount_dir);
      } else if (tree_started_) {
        remove_directory_contents(paths_.mount_dir);
        make_tree_writable(paths_.mount_dir);
      }
    } catch (const Error&) {
      // Left with its state: the mark says `cleanup` may remove it.
      return;
    }
    fs::remove_all(paths_.record_dir, ec);
    registry_.remove(paths_.mount_dir);
  }
  MountRollback(const MountRollback&) = delete;
  MountRollback& operator=(const MountRollback&) = delete;
  void created_dir() { created_dir_ = true; }
  void tree_started() { tree_started_ = true; }
  void commit() { done_ = true; }

 private:
  const MountRegistry& registry_;
  MountPaths paths_;
  bool created_dir_ = false;
  bool tree_started_ = false;
  bool done_ = false;
};

// Creates the record directory, failing if it exists: of two processes
// mounting into one directory at once, exactly one gets past this.
void claim_record_dir(const MountPaths& paths) {
  fs::create_directories(paths.record_dir.parent_path());
  // Private whatever the umask: the blobs in it go into committed images.
  if (::mkdir(paths.record_dir.c_str(), 0700) == 0) {
    if (::chmod(paths.record_dir.c_str(), 0700) != 0)
      throw_errno("make private", paths.record_dir.string(), errno);
    return;
  }
  if (errno == EEXIST)
    throw Error(hr::kAlreadyExists,
                "'" + paths.mount_dir.string() + "' is already a mount, or being mounted",
                "unmount it first, or choose another directory");
  throw_errno("create", paths.record_dir.string(), errno);
}

// Throws NEEDS_REMOUNT when the source WIM is no longer the base the mount
// was made from; refreshes the fingerprint when only its stat changed.
void check_base_unchanged(MountRecord& record, const MountPaths& paths) {
  switch (recheck_base(record, paths.record_file())) {
    case BaseStatus::kSame:
      return;
    case BaseStatus::kGone:
      throw Error(hr::kFileNotFound,
                  "the source WIM '" + record.wim_path.string() + "' of this mount is gone",
                  "restore it, or `dismake unmount " + paths.mount_dir.string() + " --discard`");
    case BaseStatus::kChanged:
      throw Error(hr::kNeedsRemount,
                  "the source WIM '" + record.wim_path.string() + "' changed since it was mounted",
                  "its changes were made to the image as it was and cannot be committed onto "
                  "the changed one; if you need them, copy them out of the mount directory "
                  "first, then unmount with --discard and mount it again (two read-write mounts "
                  "of one image: commit the first with --output instead of into the source)");
  }
}

// A commit into the source killed after its rename but before its rebase
// (MountRecord::pending_source) left the source complete: it is that
// commit's output, so its rebase is completed now. A note whose file never
// became the source (killed before the rename) matches nothing.
void finish_killed_commit_into_source(ServicedMount& mount) {
  const MountRecord& record = mount.state().record();
  if (record.pending_source.size == 0) return;
  std::error_code ec;
  if (fs::exists(record.wim_path, ec) &&
      FileFingerprint::of(record.wim_path) == record.pending_source)
    mount.tree().rebase_on_committed();
}

}  // namespace

void require_clean(ServicedMount& mount) {
  TreeChanges changes = mount.tree().scan_untracked_changes();
  if (changes.empty()) return;
  std::vector<std::string> paths = changes.paths();
  std::sort(paths.begin(), paths.end());
  std::string named;
  for (size_t i = 0; i < paths.size() && i < 10; ++i) named += (i ? ", " : "") + paths[i];
  if (paths.size() > 10) named += " and " + std::to_string(paths.size() - 10) + " more";
  throw Error(hr::kInvalidData,
              "the mount '" + mount.state().paths().mount_dir.string() +
                  "' has changes no step made: " + named,
              "run `dismake restore " + mount.state().paths().mount_dir.string() +
                  "` to discard them, or make them a step");
}

std::string CleanupAction::line() const {
  std::string verb = action == "closed-session"           ? "closed a session on"
                     : action == "removed-session-record" ? "removed a corrupt session record of"
                                                          : action;
  return verb + " " + mount_dir.string() + ": " + detail;
}

const char* mount_status_name(MountStatus status) {
  switch (status) {
    case MountStatus::kOk:
      return "Ok";
    case MountStatus::kNeedsRemount:
      return "NeedsRemount";
    case MountStatus::kInvalid:
      break;
  }
  return "Invalid";
}

MountStore::MountStore(MountRegistry registry, UnmountGuard guard)
    : registry_(std::move(registry)), unmount_guard_(std::move(guard)) {
  if (!unmount_guard_)
    throw Error(hr::kInvalidArg, "a mount store needs its unmount guard (the session rule)",
                "build it with mount_store_with_session_rule");
}

void MountStore::check_mount_target(const MountPaths& paths) const {
  for (const MountPaths& other : registry_.list()) {
    if (other.mount_dir == paths.mount_dir)
      throw Error(hr::kAlreadyExists, "'" + paths.mount_dir.string() + "' is already a mount",
                  "unmount it first, or choose another directory");
    if (is_within(paths.mount_dir, other.mount_dir) || is_within(paths.mount_dir, other.record_dir))
      throw Error(hr::kInvalidArg,
                  "'" + paths.mount_dir.string() + "' is inside the mount '" +
                      other.mount_dir.string() + "'",
                  "choose a directory outside every mount (see `dismake list-mounts`)");
    if (is_within(other.mount_dir, paths.mount_dir))
      throw Error(hr::kInvalidArg,
                  "'" + paths.mount_dir.string() + "' contains the mount '" +
                      other.mount_dir.string() + "'",
                  "choose a directory that holds no mount");
  }
  if (fs::exists(paths.record_dir))
    throw Error(hr::kAlreadyExists,
                "'" + paths.mount_dir.string() + "' has a record directory at '" +
                    paths.record_dir.string() + "' from an earlier mount",
                "run `dismake cleanup`, or unmount it with --discard");
  std::error_code ec;
  if (fs::exists(paths.mount_dir, ec)) {
    if (!fs::is_directory(paths.mount_dir, ec))
      throw Error(hr::kInvalidArg, "'" + paths.mount_dir.string() + "' is not a directory",
                  "give an empty directory, or a path that does not exist yet");
    if (!directory_is_empty(paths.mount_dir))
      throw Error(hr::kDirNotEmpty,
                  "the mount directory '" + paths.mount_dir.string() + "' is not empty",
                  "give an empty directory, or a path that does not exist yet");
  }
}

namespace {
bool same_file(const struct stat& a, const fs::path& b) {
  struct stat other {};
  return ::stat(b.c_str(), &other) == 0 && other.st_dev == a.st_dev && other.st_ino == a.st_ino;
}
}  // namespace

void MountStore::check_single_read_write(const fs::path& wim, int image) const {
  struct stat mine {};
  if (::stat(wim.c_str(), &mine) != 0) return;
  std::optional<fs::path> holder;
  // The registrations name the mounts still being made; the records, the
  // others (also those an older dismake registered without naming them).
  for (const auto& [paths, claimed] : registry_.read_write_images()) {
    if (holder || claimed.image != image || !same_file(mine, claimed.wim)) continue;
    // Being made: its record directory is claimed, its record not yet
    // written. Once there is a record, it decides (below); without a record
    // directory, the mount is invalid and holds nothing.
    std::error_code ec;
    if (fs::is_directory(paths.record_dir, ec) && !fs::exists(paths.record_file(), ec))
      holder = paths.mount_dir;
  }
  for (const MountInfo& other : list()) {
    const std::optional<MountRecord>& r = other.record;
    if (holder || !r || r->read_only || r->build || r->image_index != image) continue;
    if (same_file(mine, r->wim_path)) holder = other.paths.mount_dir;
  }
  if (!holder) return;
  std::string dir = holder->string();
  throw Error(hr::kAlreadyMountedReadWrite,
              "image " + std::to_string(image) + " of '" + wim.string() +
                  "' is already mounted read-write at '" + dir + "'",
              "commit or discard that mount first (`dismake unmount " + dir +
                  " --commit` or `--discard`), or mount this one with --readonly");
}

MountRecord MountStore::mount(const fs::path& mount_dir, const MountOptions& options) {
  MountPaths paths = MountPaths::of(mount_dir);
  fs::path wim_path = absolute_path(options.wim);
  PhaseTimer reading("mount: image read (listing and identity)");
  BaseImage base = BaseImage::open(wim_path, options.index, options.name);
  reading.stop();
  if (is_within(wim_path, paths.mount_dir))
    throw Error(hr::kInvalidArg,
                "the WIM '" + wim_path.string() + "' is inside the mount directory",
                "keep the WIM outside the directory you mount into");
  bool read_write = !options.read_only && !options.build;
  check_mount_target(paths);
  // Refused before anything is read or written.
  if (read_write) check_single_read_write(wim_path, base.image);
  if (!options.lazy) refuse_names_linux_cannot_store(base, wim_path);
  check_base(registry_.home(), wim_path,
             options.verify_full ? BaseCheck::kFull : BaseCheck::kAsRead, nullptr, &*base.wim);

  // Checked again and registered under one lock: of two mounts started at
  // once, the second sees the first's registration (which names its image).
  // Registered first, so that `cleanup` finds a mount killed at any point.
  {
    FileLock registration = registry_.lock_registration();
    check_mount_target(paths);
    if (read_write) check_single_read_write(wim_path, base.image);
    bool registered = registry_.contains(paths.mount_dir);
    std::optional<MountRegistry::ReadWriteImage> claim;
    if (read_write) claim = MountRegistry::ReadWriteImage{wim_path, base.image};
    registry_.add(paths, claim);
    try {
      // Under the lock too: a claim counts while its record directory exists.
      claim_record_dir(paths);
    } catch (const Error& e) {
      // Another process mounting there owns the registration.
      if (!registered && e.code() != hr::kAlreadyExists) registry_.remove(paths.mount_dir);
      throw;
    }
  }
  MountRollback rollback(registry_, paths);
  FileLock lock = lock_mount(paths);
  // Before the tree is touched: a kill from here on leaves a mount that
  // `cleanup`, `unmount --discard` and `ensure` know they may remove.
  mark_incomplete(paths, {!fs::exists(paths.mount_dir)});
  bool created = fs::create_directory(paths.mount_dir);
  if (created) rollback.created_dir();
  if (!created && !directory_is_empty(paths.mount_dir))
    throw Error(hr::kDirNotEmpty,
                "the mount directory '" + paths.mount_dir.string() + "' is not empty",
                "give an empty directory, or a path that does not exist yet");
  rollback.tree_started();

  MountRecord record;
  record.wim_path = wim_path;
  record.image_index = base.image;
  record.image_name = base.wim->property(base.image, "NAME");
  record.read_only = options.read_only;
  record.created_mount_dir = created;
  record.build = options.build;
  record.base_identity = base.identity;
  record.wim_fingerprint = FileFingerprint::of(wim_path);
  record.image_modification_time = base.wim->image_modification_time(base.image);
  record.mounted_at = utc_now_iso8601();
  PhaseTimer writing(options.lazy ? "mount: records written"
                                  : "mount: extracted, indexed, records written");
  extract_base(base, paths, options);
  writing.stop();
  record.save(paths.record_file());  // last: a mount without a record is invalid
  unmark_incomplete(paths);
  rollback.commit();
  return record;
}

MountPaths MountStore::existing_mount(const fs::path& mount_dir) const {
  MountPaths paths = MountPaths::of(mount_dir);
  if (!registry_.contains(paths.mount_dir) && !fs::exists(paths.record_file()))
    throw Error(hr::kNotFound, "'" + paths.mount_dir.string() + "' is not a mount",
                "see `dismake list-mounts` for the mounted images");
  return paths;
}

CommitResult MountStore::commit_locked(ServicedMount& mount, const CommitOptions& options) {
  const MountPaths& paths = mount.state().paths();
  MountRecord record = mount.state().record();
  if (record.read_only)
    throw Error(hr::kWriteProtect, "the mount '" + paths.mount_dir.string() + "' is read-only",
                "mount the image without --readonly to commit changes");
  if (!fs::is_directory(paths.mount_dir))
    throw Error(hr::kNeedsRemount, "the working tree '" + paths.mount_dir.string() + "' is gone",
                "run `dismake remount " + paths.mount_dir.string() + "`");
  {
    PhaseTimer timer("commit: base checks");
    finish_killed_commit_into_source(mount);
    record = mount.state().record();
    check_base_unchanged(record, paths);
    check_base(registry_.home(), record.wim_path, BaseCheck::kAsRead, nullptr);
  }

  CommitOutput output = CommitOutput::of(paths, record, options);
  CommitResult result;
  result.output = output.path;
  if (options.state) {
    mount.tree().restore_to(*options.state);
    require_clean(mount);
  }
  PhaseTimer planning("commit: untracked changes and plan");
  result.changes = mount.tree().scan_untracked_changes();
  // A mount used by hand: its edits become a step, and so part of the state.
  if (!options.state) mount.steps().record_untracked_changes();
  CommitPlan plan = mount.planner().commit_plan();
  mount.planner().release_base_listing();
  planning.stop();
  result.commands = plan.size();
  if (output.is_plain_source() && plan.empty() && mount.state().delta().properties().empty())
    return result;

  output.remember(paths);
  std::string base_key = output.is_source ? base_content_key(record.wim_path) : "";
  // A scratch root (DismInitialize's ScratchDirectory) gets a private
  // directory per commit, so concurrent commits never share one.
  std::optional<TemporaryDirectory> scratch;
  if (!scratch_root_.empty()) scratch.emplace("commit", scratch_root_);
  WimOutputRequest request{output,
                           record.image_index,
                           std::move(plan),
                           scratch ? scratch->path() / "staging" : paths.scratch_dir(),
                           mount.state().delta().properties(),
                           options.progress,
                           paths.base_versions_dir(),
                           record.base_identity,
                           paths.packs_dir()};
  if (output.is_source)
    request.before_rename = [&](const fs::path& written) {
      MountRecord noted = record;
      noted.pending_source = FileFingerprint::of(written);
      noted.save(paths.record_file());
    };
  WimOutputResult written = write_wim_output(request);
  result.written = true;
  result.work_file = written.work_file;
  result.reclaimable = written.reclaimable;
  if (output.is_source) {
    mount.tree().rebase_on_committed();
    // Written here from a verified base and re-hashed blobs: not read again.
    carry_base_verified(registry_.home(), base_key, record.wim_path);
  }
  mount.log().append({{"event", "commit"},
                      {"output", result.output.string()},
                      {"state", mount.state().head().current_key}});
  return result;
}

CommitResult MountStore::commit(const fs::path& mount_dir, const CommitOptions& options) {
  ServicedMount mount = ServicedMount::open(existing_mount(mount_dir).mount_dir);
  return commit_locked(mount, options);
}

void MountStore::unmount(const fs::path& mount_dir, const std::optional<CommitOptions>& commit) {
  MountPaths paths = existing_mount(mount_dir);
  std::optional<ServicedMount> mount;
  std::optional<FileLock> lock;
  bool created = true;
  try {
    mount.emplace(ServicedMount::open(paths.mount_dir));
    created = mount->state().record().created_mount_dir;
  } catch (const Error& e) {
    if (commit || e.code() == hr::kBusy) throw;
    // Discarding a mount whose state is corrupt or gone: remove what is there.
    fs::create_directories(paths.record_dir);
    lock.emplace(lock_mount(paths));
    // One killed while being made knows whether its directory was ours.
    if (std::optional<IncompleteMount> mark = read_incomplete(paths))
      created = mark->created_mount_dir;
  }
  unmount_guard_(paths);
  if (commit) commit_locked(*mount, *commit);
  // The mark, then the record go first: a mount interrupted from here on is
  // incomplete (removed by cleanup or the next ensure), never a half-deleted
  // tree that looks like changes.
  mark_incomplete(paths, {created});
  std::error_code ec;
  fs::remove(paths.record_file(), ec);
  remove_tree(paths, created);
  remove_recursively(paths.record_dir);
  registry_.remove(paths.mount_dir);
}

void MountStore::remove_tree(const MountPaths& paths, bool created) {
  if (!fs::exists(fs::symlink_status(paths.mount_dir))) return;
  if (created) {
    remove_recursively(paths.mount_dir);
  } else {
    remove_directory_contents(paths.mount_dir);
    make_tree_writable(paths.mount_dir);  // a read-only mount's root
  }
}

std::optional<std::string> MountStore::discard_incomplete(const fs::path& mount_dir,
                                                          std::chrono::milliseconds wait) {
  MountPaths paths = MountPaths::of(mount_dir);
  if (fs::exists(paths.record_file())) return std::nullopt;
  bool has_state = fs::is_directory(paths.record_dir);
  if (!has_state && !registry_.contains(paths.mount_dir)) return std::nullopt;
  std::optional<FileLock> lock;
  std::string what = "the mount '" + paths.mount_dir.string() + "'";
  if (has_state) lock.emplace(paths.lock_file(), wait, what.c_str());
  if (fs::exists(paths.record_file())) return std::nullopt;  // finished while we waited
  std::string done = "removed its state";
  if (std::optional<IncompleteMount> mark = read_incomplete(paths);
      mark && fs::exists(fs::symlink_status(paths.mount_dir))) {
    remove_tree(paths, mark->created_mount_dir);
    done += " and its partial tree";
  }
  remove_recursively(paths.record_dir);
  registry_.remove(paths.mount_dir);
  return done;
}

bool MountStore::remount(const fs::path& mount_dir, const ProgressFn& progress) {
  ServicedMount mount = ServicedMount::open(existing_mount(mount_dir).mount_dir);
  const MountPaths& paths = mount.state().paths();
  // A lazy mount's tree may rightly be empty; only a missing one is lost.
  bool present = fs::is_directory(paths.mount_dir) &&
                 (mount.state().head().lazy || !directory_is_empty(paths.mount_dir));
  if (present) return false;
  MountRecord record = mount.state().record();
  check_base_unchanged(record, paths);
  mount.tree().reset_tree(progress);
  mount.log().append({{"event", "remount"}});
  return true;
}

MountInfo MountStore::inspect(const MountPaths& paths) const {
  MountInfo info{paths};
  if (!fs::is_directory(paths.record_dir)) {
    info.problem = "its record directory '" + paths.record_dir.string() + "' is gone";
    return info;
  }
  try {
    info.record = MountRecord::load(paths.record_file());
  } catch (const Error& e) {
    if (fs::exists(paths.record_file())) {
      info.problem = e.problem();
    } else if (read_incomplete(paths)) {
      info.problem =
          "it was interrupted while being mounted or unmounted; `dismake cleanup` removes it";
    } else {
      info.problem = "its mount record is missing";
    }
    return info;
  }
  if (!fs::exists(info.record->wim_path)) {
    info.problem = "its source WIM '" + info.record->wim_path.string() + "' is gone";
  } else if (!fs::is_directory(paths.mount_dir)) {
    info.status = MountStatus::kNeedsRemount;
    info.problem = "its working tree is gone; run `dismake remount`";
  } else {
    info.status = MountStatus::kOk;
  }
  return info;
}

MountInfo MountStore::info(const fs::path& mount_dir) const {
  return inspect(existing_mount(mount_dir));
}

std::vector<MountInfo> MountStore::list() const {
  std::vector<MountInfo> mounts;
  for (const MountPaths& paths : registry_.list()) mounts.push_back(inspect(paths));
  return mounts;
}

// A mount killed while being made or removed: its tree is ours and holds
// nothing of the user's. One whose lock is held is still being made.
void MountStore::reap_incomplete(const MountInfo& mount, CleanupReport& report) {
  try {
    if (std::optional<std::string> done =
            discard_incomplete(mount.paths.mount_dir, std::chrono::milliseconds(0)))
      report.actions.push_back({"reaped", mount.paths.mount_dir,
                                "it was interrupted while being mounted or unmounted; " + *done});
  } catch (const Error& e) {
    if (e.code() != hr::kBusy) throw;
    report.actions.push_back(
        {"kept", mount.paths.mount_dir, "another dismake process is mounting it"});
  }
}

CleanupReport MountStore::cleanup(bool force, LeftTrees left) {
  CleanupReport report;
  for (const MountInfo& mount : list()) {
    if (mount.status == MountStatus::kNeedsRemount) {
      report.actions.push_back({"kept", mount.paths.mount_dir, mount.problem});
      continue;
    }
    if (mount.status != MountStatus::kInvalid) continue;
    if (!mount.record && read_incomplete(mount.paths)) {
      reap_incomplete(mount, report);
      continue;
    }
    if (mount.record && fs::exists(mount.paths.lock_file())) {
      // Its source WIM is gone: the tree may hold the only copy of changes.
      if (!force) {
        report.actions.push_back(
            {"kept", mount.paths.mount_dir, mount.problem + "; use --force to discard it"});
        continue;
      }
    }
    std::error_code ec;
    bool had_state = fs::exists(mount.paths.record_dir, ec);
    fs::remove_all(mount.paths.record_dir, ec);
    std::string line = mount.problem;
    if (fs::exists(mount.paths.mount_dir) && !force) {
      line += "; left its directory in place (use --force to delete it)";
      if (left == LeftTrees::kForgotten) {
        registry_.remove(mount.paths.mount_dir);
        report.actions.push_back({"reaped", mount.paths.mount_dir, line});
        continue;
      }
      // Still registered, so that `cleanup --force` finds the tree later:
      // without the registration nothing would know it was a mount's.
      report.actions.push_back({had_state ? "reaped" : "kept", mount.paths.mount_dir, line});
      continue;
    }
    if (fs::exists(mount.paths.mount_dir)) {
      remove_recursively(mount.paths.mount_dir);
      line += "; deleted its directory";
    }
    registry_.remove(mount.paths.mount_dir);
    report.actions.push_back({"reaped", mount.paths.mount_dir, line});
  }
  return report;
}

}  // namespace dismake
