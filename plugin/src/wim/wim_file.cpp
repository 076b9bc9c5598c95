#include "dismake/wim/wim_file.h"

#include <libxml/xmlerror.h>
#include <wimlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "compression_level.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/temporary_directory.h"
#include "wim_error.h"

namespace dismake {

namespace {

void ignore_xml_error(void* /*ctx*/, const char* /*format*/, ...) {}
// Generic, as libxml2 2.12 made the error const.
constexpr auto ignore_structured_xml_error = [](void* /*ctx*/, auto* /*error*/) {};

// wimlib parses a WIM's XML data with libxml2, which prints a damaged
// document's bytes (raw binary) to stderr; wimlib's own error code already
// says the XML is invalid, and that is what dismake reports, naming the file.
// The handlers are per thread: set for this one and for threads made later.
void silence_xml_errors() {
  xmlSetGenericErrorFunc(nullptr, ignore_xml_error);
  xmlThrDefSetGenericErrorFunc(nullptr, ignore_xml_error);
  xmlStructuredErrorFunc ignore_structured = ignore_structured_xml_error;
  xmlSetStructuredErrorFunc(nullptr, ignore_structured);
  xmlThrDefSetStructuredErrorFunc(nullptr, ignore_structured);
}

// wimlib's defaults are process-wide; dismake wants Windows' case-insensitive
// path lookups in every update ("windows/foo" lands in "Windows/").
void init_wimlib_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE);
    silence_xml_errors();
  });
}

// Routes wimlib's progress messages for one call to a ProgressFn.
struct WimlibProgressForwarder {
  const ProgressFn* fn;
  // A split reports per part (SPLIT_*) and per stream write within a part;
  // only the first is the whole operation's progress.
  bool split = false;

  static enum wimlib_progress_status forward(enum wimlib_progress_msg msg,
                                             union wimlib_progress_info* info, void* ctx) {
    auto* self = static_cast<WimlibProgressForwarder*>(ctx);
    if (self == nullptr || self->fn == nullptr || !*self->fn)
      return WIMLIB_PROGRESS_STATUS_CONTINUE;
    std::uint64_t done = 0;
    std::uint64_t total = 0;
    if (self->split && msg != WIMLIB_PROGRESS_MSG_SPLIT_BEGIN_PART &&
        msg != WIMLIB_PROGRESS_MSG_SPLIT_END_PART)
      return WIMLIB_PROGRESS_STATUS_CONTINUE;
    switch (msg) {
      case WIMLIB_PROGRESS_MSG_SPLIT_BEGIN_PART:
      case WIMLIB_PROGRESS_MSG_SPLIT_END_PART:
        done = info->split.completed_bytes;
        total = info->split.total_bytes;
        break;
      case WIMLIB_PROGRESS_MSG_EXTRACT_STREAMS:
        done = info->extract.completed_bytes;
        total = info->extract.total_bytes;
        break;
      case WIMLIB_PROGRESS_MSG_WRITE_STREAMS:
        done = info->write_streams.completed_bytes;
        total = info->write_streams.total_bytes;
        break;
      case WIMLIB_PROGRESS_MSG_VERIFY_STREAMS:
        done = info->verify_streams.completed_bytes;
        total = info->verify_streams.total_bytes;
        break;
      case WIMLIB_PROGRESS_MSG_VERIFY_INTEGRITY:
      case WIMLIB_PROGRESS_MSG_CALC_INTEGRITY:
        done = info->integrity.completed_bytes;
        total = info->integrity.total_bytes;
        break;
      default:
        return WIMLIB_PROGRESS_STATUS_CONTINUE;
    }
    return (*self->fn)(done, total) ? WIMLIB_PROGRESS_STATUS_CONTINUE
                                    : WIMLIB_PROGRESS_STATUS_ABORT;
  }
};

// Registers a forwarder on `wim` for one scope.
class ScopedProgress {
 public:
  ScopedProgress(WIMStruct* wim, const ProgressFn& fn, bool split = false)
      : wim_(wim), forwarder_{&fn, split} {
    wimlib_register_progress_function(wim_, &WimlibProgressForwarder::forward, &forwarder_);
  }
  ~ScopedProgress() { wimlib_register_progress_function(wim_, nullptr, nullptr); }
  ScopedProgress(const ScopedProgress&) = delete;
  ScopedProgress& operator=(const ScopedProgress&) = delete;

 private:
  WIMStruct* wim_;
  WimlibProgressForwarder forwarder_;
};

std::string hex(const std::uint8_t* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  bool all_zero = true;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
    all_zero = all_zero && bytes[i] == 0;
  }
  return all_zero ? std::string() : out;
}

Compression from_wimlib(int ctype) {
  switch (ctype) {
    case WIMLIB_COMPRESSION_TYPE_XPRESS:
      return Compression::kXpress;
    case WIMLIB_COMPRESSION_TYPE_LZX:
      return Compression::kLzx;
    case WIMLIB_COMPRESSION_TYPE_LZMS:
      return Compression::kLzms;
    default:
      return Compression::kNone;
  }
}

wimlib_compression_type to_wimlib(Compression compression) {
  switch (compression) {
    case Compression::kXpress:
      return WIMLIB_COMPRESSION_TYPE_XPRESS;
    case Compression::kLzx:
      return WIMLIB_COMPRESSION_TYPE_LZX;
    case Compression::kLzms:
      return WIMLIB_COMPRESSION_TYPE_LZMS;
    case Compression::kNone:
      break;
  }
  return WIMLIB_COMPRESSION_TYPE_NONE;
}

int write_flags(const WriteOptions& options) {
  return (options.check_integrity ? WIMLIB_WRITE_FLAG_CHECK_INTEGRITY : 0) |
         (options.solid ? WIMLIB_WRITE_FLAG_SOLID : 0);
}

// Windows FILETIME: 100 ns ticks since 1601-01-01.
constexpr std::int64_t kFiletimeUnixEpoch = 11644473600LL;

std::string hex32(std::uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", value);
  return buf;
}

// A file whose first bytes are not a WIM magic is "not a WIM" whatever
// wimlib would say about its length; a damaged WIM keeps its magic.
bool has_wim_magic(const std::filesystem::path& path) {
  char magic[8] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(magic, sizeof magic);
  return in.gcount() == sizeof magic &&
         (std::memcmp(magic, "MSWIM\0\0\0", 8) == 0 || std::memcmp(magic, "WLPWM\0\0\0", 8) == 0);
}

std::string strip_root(const char* full_path) {
  while (*full_path == '/') ++full_path;
  return full_path;
}

// Owns the strings of a wimlib_update_command array for one call.
class WimlibCommands {
 public:
  explicit WimlibCommands(const std::vector<UpdateCommand>& commands) {
    for (const UpdateCommand& command : commands) commands_.push_back(convert(command));
  }
  wimlib_update_command* data() { return commands_.data(); }
  size_t size() const { return commands_.size(); }

 private:
  wimlib_tchar* keep(const std::string& s) {
    strings_.push_back(std::make_unique<std::string>(s));
    return strings_.back()->data();
  }

  wimlib_update_command convert(const UpdateCommand& command) {
    wimlib_update_command out;
    std::memset(&out, 0, sizeof out);
    switch (command.kind) {
      case UpdateCommand::Kind::kAdd:
        out.op = WIMLIB_UPDATE_OP_ADD;
        out.add.fs_source_path = keep(command.source);
        out.add.wim_target_path = keep(command.target);
        if (command.from_ntfs_volume)
          out.add.add_flags =
              WIMLIB_ADD_FLAG_NTFS | (command.with_security ? 0 : WIMLIB_ADD_FLAG_NO_ACLS);
        break;
      case UpdateCommand::Kind::kDelete:
        out.op = WIMLIB_UPDATE_OP_DELETE;
        out.delete_.wim_path = keep(command.target);
        out.delete_.delete_flags = WIMLIB_DELETE_FLAG_RECURSIVE;
        break;
      case UpdateCommand::Kind::kRename:
        out.op = WIMLIB_UPDATE_OP_RENAME;
        out.rename.wim_source_path = keep(command.source);
        out.rename.wim_target_path = keep(command.target);
        break;
    }
    return out;
  }

  std::vector<std::unique_ptr<std::string>> strings_;
  std::vector<wimlib_update_command> commands_;
};

}  // namespace

WimFile WimFile::open(const std::filesystem::path& path, bool writable) {
  init_wimlib_once();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(hr::kFileNotFound, "cannot open '" + path.string() + "': no such file",
                "check the path of the WIM file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(hr::kBadFormat, "cannot open '" + path.string() + "': it is a directory",
                "give a .wim file");
  if (!has_wim_magic(path))
    throw Error(hr::kBadFormat, "'" + path.string() + "' is not a WIM file",
                "give a .wim (or .esd) file made by DISM or wimlib");
  WIMStruct* wim = nullptr;
  int flags = WIMLIB_OPEN_FLAG_ERROR_IF_SPLIT | (writable ? WIMLIB_OPEN_FLAG_WRITE_ACCESS : 0);
  check_wimlib(wimlib_open_wim(path.c_str(), flags, &wim), "open", path.string());
  return WimFile(wim, path);
}

void WimFile::verify(const ProgressFn& progress) const {
  if (info().has_integrity_table) {
    // Reopened: wimlib checks the table only while opening.
    WIMStruct* checked = nullptr;
    WimlibProgressForwarder forwarder{&progress};
    int ret = wimlib_open_wim_with_progress(
        path_.c_str(), WIMLIB_OPEN_FLAG_CHECK_INTEGRITY | WIMLIB_OPEN_FLAG_ERROR_IF_SPLIT, &checked,
        &WimlibProgressForwarder::forward, &forwarder);
    if (checked != nullptr) wimlib_free(checked);
    check_wimlib(ret, "verify", path_.string());
    return;
  }
  ScopedProgress scoped(wim_, progress);
  check_wimlib(wimlib_verify_wim(wim_, 0), "verify", path_.string());
}

WimFile WimFile::create(Compression compression) {
  init_wimlib_once();
  WIMStruct* wim = nullptr;
  check_wimlib(wimlib_create_new_wim(to_wimlib(compression), &wim), "create", "a new WIM");
  return WimFile(wim, "");
}

void WimFile::set_guid(const std::string& hex) {
  wimlib_wim_info info;
  std::memset(&info, 0, sizeof info);
  for (size_t i = 0; i < WIMLIB_GUID_LEN && 2 * i + 1 < hex.size(); ++i)
    info.guid[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  check_wimlib(wimlib_set_wim_info(wim_, &info, WIMLIB_CHANGE_GUID), "set the GUID of",
               path_.string());
}

void WimFile::set_boot_index(int image) {
  if (image != 0) image_by_index(image);
  wimlib_wim_info info;
  std::memset(&info, 0, sizeof info);
  info.boot_index = static_cast<std::uint32_t>(image);
  check_wimlib(wimlib_set_wim_info(wim_, &info, WIMLIB_CHANGE_BOOT_INDEX), "set the boot index of",
               path_.string());
}

void WimFile::set_image_times(int image, std::int64_t unix_seconds) {
  auto ticks = static_cast<std::uint64_t>((unix_seconds + kFiletimeUnixEpoch) * 10000000LL);
  for (const char* element : {"CREATIONTIME", "LASTMODIFICATIONTIME"}) {
    set_property(image, std::string(element) + "/HIGHPART",
                 hex32(static_cast<std::uint32_t>(ticks >> 32)));
    set_property(image, std::string(element) + "/LOWPART",
                 hex32(static_cast<std::uint32_t>(ticks)));
  }
}

std::int64_t WimFile::image_modification_time(int image) const {
  std::string high = property(image, "LASTMODIFICATIONTIME/HIGHPART");
  std::string low = property(image, "LASTMODIFICATIONTIME/LOWPART");
  if (high.empty() || low.empty()) return 0;
  std::uint64_t ticks = (std::stoull(high, nullptr, 16) << 32) | std::stoull(low, nullptr, 16);
  return static_cast<std::int64_t>(ticks / 10000000ULL) - kFiletimeUnixEpoch;
}

void WimFile::export_image(int image, WimFile& destination) {
  check_wimlib(wimlib_export_image(wim_, image, destination.wim_, nullptr, nullptr, 0),
               "export an image of", path_.string());
}

void WimFile::split(const std::filesystem::path& first_part, std::uint64_t part_size,
                    const WriteOptions& options, const ProgressFn& progress) {
  ScopedProgress scope(wim_, progress, /*split=*/true);
  CompressionLevelLease level(WriteLevel::kDefault);
  check_wimlib(wimlib_split(wim_, first_part.c_str(), part_size, write_flags(options)), "split",
               path_.string());
}

void WimFile::overwrite_metadata() {
  CompressionLevelLease level(WriteLevel::kDefault);
  check_wimlib(wimlib_overwrite(wim_, 0, 1), "write", path_.string());
}

WimFile::WimFile(WIMStruct* wim, std::filesystem::path path) : wim_(wim), path_(std::move(path)) {}

WimFile::WimFile(WimFile&& other) noexcept : wim_(other.wim_), path_(std::move(other.path_)) {
  other.wim_ = nullptr;
}

WimFile& WimFile::operator=(WimFile&& other) noexcept {
  if (this != &other) {
    if (wim_ != nullptr) wimlib_free(wim_);
    wim_ = other.wim_;
    path_ = std::move(other.path_);
    other.wim_ = nullptr;
  }
  return *this;
}

WimFile::~WimFile() {
  if (wim_ != nullptr) wimlib_free(wim_);
}

WimInfo WimFile::info() const {
  wimlib_wim_info raw;
  check_wimlib(wimlib_get_wim_info(wim_, &raw), "read", path_.string());
  WimInfo info;
  info.guid = hex(raw.guid, WIMLIB_GUID_LEN);
  info.image_count = raw.image_count;
  info.boot_index = raw.boot_index;
  info.compression = from_wimlib(raw.compression_type);
  info.chunk_size = raw.chunk_size;
  info.has_integrity_table = raw.has_integrity_table != 0;
  return info;
}

int WimFile::image_by_index(int index) const {
  int count = static_cast<int>(info().image_count);
  if (index < 1 || index > count)
    throw Error(hr::kInvalidImageIndex,
                "image index " + std::to_string(index) + " is not in '" + path_.string() + "'",
                "it has images 1 to " + std::to_string(count) + " (see `dismake info`)");
  return index;
}

int WimFile::image_by_name(const std::string& name) const {
  int count = static_cast<int>(info().image_count);
  std::string names;
  for (int image = 1; image <= count; ++image) {
    const char* image_name = wimlib_get_image_name(wim_, image);
    std::string candidate = image_name != nullptr ? image_name : "";
    if (candidate == name) return image;
    names += (names.empty() ? "'" : ", '") + candidate + "'";
  }
  throw Error(hr::kInvalidImageName, "no image named '" + name + "' in '" + path_.string() + "'",
              "its images are " + names + " (see `dismake info`)");
}

std::string WimFile::property(int image, const std::string& name) const {
  const char* value = wimlib_get_image_property(wim_, image, name.c_str());
  return value != nullptr ? value : "";
}

void WimFile::set_property(int image, const std::string& name, const std::string& value) {
  check_wimlib(wimlib_set_image_property(wim_, image, name.c_str(), value.c_str()),
               "set property " + name + " in", path_.string());
}

void WimFile::for_each_entry(int image, const std::function<void(const WimEntry&)>& visit,
                             EntryDetail detail) const {
  struct Context {
    const std::function<void(const WimEntry&)>* visit;
    EntryDetail detail;
  } context{&visit, detail};
  auto callback = [](const wimlib_dir_entry* dentry, void* ctx) -> int {
    WimEntry entry;
    entry.path = strip_root(dentry->full_path);
    entry.attributes = dentry->attributes;
    entry.is_directory = (dentry->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    entry.is_reparse_point = (dentry->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    entry.hard_link_group = dentry->hard_link_group_id;
    auto ns = [](const wimlib_timespec& t) {
      return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
    };
    entry.creation_time_ns = ns(dentry->creation_time);
    entry.last_write_time_ns = ns(dentry->last_write_time);
    const wimlib_resource_entry& unnamed = dentry->streams[0].resource;
    entry.size = unnamed.uncompressed_size;
    entry.sha1 = hex(unnamed.sha1_hash, sizeof unnamed.sha1_hash);
    entry.link_count = dentry->num_links;
    entry.reparse_tag = dentry->reparse_tag;
    const auto* c = static_cast<Context*>(ctx);
    if (c->detail == EntryDetail::kListing) {
      (*c->visit)(entry);
      return 0;
    }
    if (dentry->dos_name != nullptr) entry.short_name = dentry->dos_name;
    if (dentry->security_descriptor != nullptr)
      entry.security_digest = sha256_hex(
          std::string_view(dentry->security_descriptor, dentry->security_descriptor_size));
    for (std::uint32_t i = 1; i <= dentry->num_named_streams; ++i) {
      const wimlib_stream_entry& stream = dentry->streams[i];
      entry.named_streams.push_back(
          {stream.stream_name != nullptr ? stream.stream_name : "",
           stream.resource.uncompressed_size,
           hex(stream.resource.sha1_hash, sizeof stream.resource.sha1_hash)});
    }
    (*static_cast<Context*>(ctx)->visit)(entry);
    return 0;
  };
  int ret = wimlib_iterate_dir_tree(wim_, image, "", WIMLIB_ITERATE_DIR_TREE_FLAG_RECURSIVE,
                                    callback, &context);
  // The first read of an image's metadata, where wimlib checks its SHA-1.
  if (is_damage(ret))
    throw_damaged(ret, path_.string(),
                  "the metadata of image " + std::to_string(image) + " (its file list)");
  check_wimlib(ret, "read the file list of", path_.string());
}

std::string WimFile::security_descriptor(int image, const std::string& path) const {
  std::string descriptor;
  auto callback = [](const wimlib_dir_entry* dentry, void* ctx) -> int {
    if (dentry->security_descriptor != nullptr)
      static_cast<std::string*>(ctx)->assign(dentry->security_descriptor,
                                             dentry->security_descriptor_size);
    return 0;
  };
  // No flag: the path itself, not its children.
  check_wimlib(wimlib_iterate_dir_tree(wim_, image, ("/" + path).c_str(), 0, callback, &descriptor),
               "read the security descriptor of '" + path + "' in", path_.string());
  return descriptor;
}

void WimFile::extract_image(int image, const std::filesystem::path& target,
                            const ProgressFn& progress) {
  ScopedProgress scope(wim_, progress);
  check_wimlib(wimlib_extract_image(wim_, image, target.c_str(),
                                    WIMLIB_EXTRACT_FLAG_REPLACE_INVALID_FILENAMES),
               "extract", path_.string());
}

void WimFile::extract_paths(int image, const std::filesystem::path& target,
                            const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  std::vector<const wimlib_tchar*> raw;
  raw.reserve(paths.size());
  for (const std::string& path : paths) raw.push_back(path.c_str());
  int ret = wimlib_extract_paths(wim_, image, target.c_str(), raw.data(), raw.size(),
                                 WIMLIB_EXTRACT_FLAG_REPLACE_INVALID_FILENAMES);
  if (is_damage(ret)) throw_damaged(ret, path_.string(), damaged_one_of(image, paths));
  check_wimlib(ret, "extract from", path_.string());
}

void WimFile::extract_only_to_ntfs(int image, const std::filesystem::path& volume,
                                   const std::vector<std::string>& paths) {
  // wimlib's NTFS writer takes one tree at a time: prune the image in memory
  // down to `paths` and their directories, then extract it whole. Only what
  // is kept is listed, one level deep: whatever else it holds goes. (Listing
  // the whole image held every path in memory, 5 MB for 41k files.)
  std::set<std::string> keep;
  for (const std::string& path : paths) {
    keep.insert(path);
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1))
      keep.insert(path.substr(0, slash));
  }
  struct Pruning {
    const std::set<std::string>* keep;
    std::vector<UpdateCommand> prune;
  } pruning{&keep, {}};
  auto unless_kept = [](const wimlib_dir_entry* dentry, void* ctx) -> int {
    auto* p = static_cast<Pruning*>(ctx);
    std::string path = strip_root(dentry->full_path);
    if (p->keep->count(path) == 0) p->prune.push_back(UpdateCommand::remove(path));
    return 0;
  };
  std::vector<std::string> listed{""};
  listed.insert(listed.end(), keep.begin(), keep.end());
  for (const std::string& dir : listed) {
    int ret = wimlib_iterate_dir_tree(wim_, image, ("/" + dir).c_str(),
                                      WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN, unless_kept, &pruning);
    if (ret != WIMLIB_ERR_PATH_DOES_NOT_EXIST)
      check_wimlib(ret, "read the file list of", path_.string());
  }
  update_image(image, pruning.prune);
  int ret = wimlib_extract_image(wim_, image, volume.c_str(), WIMLIB_EXTRACT_FLAG_NTFS);
  if (is_damage(ret)) throw_damaged(ret, path_.string(), damaged_one_of(image, paths));
  check_wimlib(ret, "extract into an NTFS volume from", path_.string());
}

std::string WimFile::damaged_one_of(int image, const std::vector<std::string>& paths) const {
  // Rare (damage was found), so each path is read again on its own, into a
  // scratch directory, until one fails.
  if (paths.size() > 1) {
    for (const std::string& path : paths) {
      TemporaryDirectory probe("probe");
      const wimlib_tchar* one = path.c_str();
      if (is_damage(wimlib_extract_paths(
              wim_, image, probe.path().c_str(), &one, 1,
              WIMLIB_EXTRACT_FLAG_REPLACE_INVALID_FILENAMES | WIMLIB_EXTRACT_FLAG_NO_ACLS)))
        return "'" + path + "'";
    }
  }
  if (paths.size() == 1) return "'" + paths.front() + "'";
  return "one of the files read";
}

void WimFile::update_image(int image, const std::vector<UpdateCommand>& commands) {
  if (commands.empty()) return;
  WimlibCommands raw(commands);
  check_wimlib(wimlib_update_image(wim_, image, raw.data(), raw.size(), 0), "update",
               path_.string());
}

void WimFile::overwrite_compact(const WriteOptions& options, const ProgressFn& progress) {
  ScopedProgress scope(wim_, progress);
  CompressionLevelLease level(WriteLevel::kDefault);
  int flags = write_flags(options);
  int ret = wimlib_overwrite(wim_, flags | WIMLIB_WRITE_FLAG_UNSAFE_COMPACT, options.threads);
  // Compaction is impossible for some files (e.g. solid resources); an
  // appending write is then just as safe, since this is a temporary copy.
  if (ret == WIMLIB_ERR_COMPACTION_NOT_POSSIBLE)
    ret = wimlib_overwrite(wim_, flags, options.threads);
  check_wimlib(ret, "write", path_.string());
}

void WimFile::overwrite_append(const WriteOptions& options, const ProgressFn& progress) {
  ScopedProgress scope(wim_, progress);
  CompressionLevelLease level(WriteLevel::kAppend);
  check_wimlib(wimlib_overwrite(wim_, write_flags(options), options.threads), "write",
               path_.string());
}

WimFile::BlobTableUse WimFile::blob_table_use() const {
  struct Sum {
    BlobTableUse use;
    // A solid resource holds many blobs: it is used while one of them is.
    std::map<std::uint64_t, std::pair<std::uint64_t, bool>> solid;  // offset -> size, used
  } sum;
  auto add = [](const wimlib_resource_entry* entry, void* ctx) -> int {
    auto* s = static_cast<Sum*>(ctx);
    // A blob no image references any more keeps its entry and its bytes
    // after an in-place (appending) write: garbage too.
    bool used = entry->is_metadata || entry->reference_count > 0;
    if (!used) ++s->use.unreferenced_blobs;
    if (entry->packed) {
      auto& [size, any_used] = s->solid[entry->raw_resource_offset_in_wim];
      size = entry->raw_resource_compressed_size;
      any_used = any_used || used;
    } else if (used) {
      s->use.referenced_bytes += entry->compressed_size;
    }
    return 0;
  };
  check_wimlib(wimlib_iterate_lookup_table(wim_, 0, add, &sum), "read the blob table of",
               path_.string());
  for (const auto& [offset, resource] : sum.solid)
    if (resource.second) sum.use.referenced_bytes += resource.first;
  return sum.use;
}

void WimFile::write_to(const std::filesystem::path& path, Compression compression,
                       const WriteOptions& options, const ProgressFn& progress) {
  ScopedProgress scope(wim_, progress);
  check_wimlib(wimlib_set_output_compression_type(wim_, to_wimlib(compression)), "write",
               path.string());
  CompressionLevelLease level(WriteLevel::kDefault);
  check_wimlib(
      wimlib_write(wim_, path.c_str(), WIMLIB_ALL_IMAGES, write_flags(options), options.threads),
      "write", path.string());
}

void WimFile::write_pack(const std::filesystem::path& content, const std::filesystem::path& pack,
                         const WimInfo& like, const std::string& guid_hex) {
  WimFile wim = create(like.compression);
  check_wimlib(wimlib_set_output_chunk_size(wim.wim_, like.chunk_size), "write", pack.string());
  check_wimlib(wimlib_add_empty_image(wim.wim_, "pack", nullptr), "write", pack.string());
  wim.update_image(1, {UpdateCommand::add(content.string(), "content")});
  wim.set_guid(guid_hex);
  CompressionLevelLease level(WriteLevel::kDefault);
  check_wimlib(wimlib_write(wim.wim_, pack.c_str(), WIMLIB_ALL_IMAGES,
                            WIMLIB_WRITE_FLAG_RETAIN_GUID | WIMLIB_WRITE_FLAG_CHECK_INTEGRITY, 1),
               "write", pack.string());
}

namespace {
// What is wrong with `info`, a pack's, for one written like `like` with the
// GUID `guid_hex`; "" when nothing.
std::string pack_mismatch(const WimInfo& info, const WimInfo& like, const std::string& guid_hex) {
  if (!info.has_integrity_table) return "it has no integrity table";
  if (info.guid != guid_hex) return "its GUID is " + info.guid + ", not " + guid_hex;
  if (info.compression != like.compression || info.chunk_size != like.chunk_size)
    return "its compression is not the one its name says";
  if (info.image_count != 1) return "it holds " + std::to_string(info.image_count) + " images";
  return "";
}
}  // namespace

void WimFile::check_pack(const std::filesystem::path& pack, const WimInfo& like,
                         const std::string& guid_hex) {
  init_wimlib_once();
  WIMStruct* raw = nullptr;
  // wimlib checks the integrity table while it opens, and only then.
  int ret = wimlib_open_wim(
      pack.c_str(), WIMLIB_OPEN_FLAG_CHECK_INTEGRITY | WIMLIB_OPEN_FLAG_ERROR_IF_SPLIT, &raw);
  std::string damage;
  if (ret != 0) {
    if (raw != nullptr) wimlib_free(raw);
    damage = wimlib_get_error_string(static_cast<wimlib_error_code>(ret));
  } else {
    damage = pack_mismatch(WimFile(raw, pack).info(), like, guid_hex);
  }
  if (!damage.empty())
    throw Error(hr::kFileCorrupt, "content pack '" + pack.string() + "' is damaged: " + damage);
}

void WimFile::use_packs(int image, const std::vector<std::filesystem::path>& packs) {
  if (packs.empty()) return;
  std::vector<const char*> paths;
  for (const auto& pack : packs) paths.push_back(pack.c_str());
  check_wimlib(wimlib_reference_resource_files(wim_, paths.data(),
                                               static_cast<unsigned>(paths.size()), 0, 0),
               "read the packs of", path_.string());
  // wimlib hashes added content only when something needs the hashes, and
  // then joins each to the blob it duplicates (here: a pack's). Extracting
  // needs them; extracting zero paths (to stdout) writes nothing. An export
  // to a throwaway WIM did the same, but cloned every blob descriptor of the
  // image (4 MB for 41k files, at the commit's peak).
  check_wimlib(wimlib_extract_paths(wim_, image, "-", nullptr, 0, WIMLIB_EXTRACT_FLAG_TO_STDOUT),
               "hash the new content of", path_.string());
}

}  // namespace dismake
