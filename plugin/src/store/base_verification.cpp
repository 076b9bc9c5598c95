#include "dismake/store/base_verification.h"

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/phase_timer.h"
#include "dismake/wim/wim_file.h"
#include "dismake/wim/wim_header.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

fs::path record_of(const fs::path& home, const std::string& key) {
  return home / "verified-bases" / key;
}

void record_verified(const fs::path& home, const std::string& key, const fs::path& wim_path) {
  // A cache: when it cannot be written, the next use checks again (and
  // whatever needs the home directory says how to set it).
  try {
    create_private_directory(record_of(home, key).parent_path());
    write_file_atomic(record_of(home, key), wim_path.string() + "\n", 0600);
  } catch (const Error&) {
  }
}

// Reads the whole file and checks it; rethrows wimlib's account of damage
// as the base's.
void check_whole_file(const fs::path& wim_path, const ProgressFn& progress, const WimFile* opened) {
  try {
    if (opened != nullptr) {
      opened->verify(progress);
    } else {
      WimFile::open(wim_path).verify(progress);
    }
  } catch (const Error& e) {
    if (e.code() != hr::kFileCorrupt) throw;
    std::string reason = e.problem();
    if (size_t colon = reason.find("': "); colon != std::string::npos)
      reason = reason.substr(colon + 3);  // wimlib's account, without the path again
    throw Error(hr::kFileCorrupt,
                "the base WIM '" + wim_path.string() + "' is damaged: " + reason +
                    "; nothing was mounted or committed from it",
                "get an intact copy of the WIM (`dismake verify` checks one)");
  }
}

}  // namespace

std::string base_content_key(const fs::path& wim_path) { return wim_tables_digest(wim_path); }

bool base_verified(const fs::path& home, const std::string& key) {
  std::error_code ec;
  return fs::exists(record_of(home, key), ec);
}

BaseCheckResult check_base(const fs::path& home, const fs::path& wim_path, BaseCheck check,
                           const ProgressFn& progress, const WimFile* opened) {
  bool has_table = WimHeader::read(wim_path).integrity.size != 0;
  if (check == BaseCheck::kAsRead && !has_table) return {""};
  std::string key = base_content_key(wim_path);
  if (base_verified(home, key)) return {"on record"};
  PhaseTimer timer("base check: the whole file read");
  check_whole_file(wim_path, progress, opened);
  record_verified(home, key, wim_path);
  return {has_table ? "integrity table" : "every blob"};
}

BaseCheckResult verify_base(const fs::path& home, const fs::path& wim_path,
                            const ProgressFn& progress) {
  bool has_table = WimHeader::read(wim_path).integrity.size != 0;
  std::string key = base_content_key(wim_path);
  check_whole_file(wim_path, progress, nullptr);
  record_verified(home, key, wim_path);
  return {has_table ? "integrity table" : "every blob"};
}

void carry_base_verified(const fs::path& home, const std::string& from_key,
                         const fs::path& wim_path) {
  if (!base_verified(home, from_key)) return;
  record_verified(home, base_content_key(wim_path), wim_path);
}

}  // namespace dismake
