#include "dismake/store/content_packs.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <thread>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace fs = std::filesystem;

ContentPacks::ContentPacks(fs::path dir) : dir_(std::move(dir)) {}

namespace {

struct PackJob {
  fs::path content;
  fs::path pack;
  std::string guid;
};

// Whole or absent under its name: a kill leaves no pack half-written.
void make_pack(const PackJob& job, const WimInfo& like) {
  replace_through_temporary(job.pack, [&](const fs::path& tmp) {
    WimFile::write_pack(job.content, tmp, like, job.guid);
  });
}

// Calls `work(i)` for each i below `count`, on every core; rethrows the
// first failure once all have stopped.
void on_every_core(size_t count, const std::function<void(size_t)>& work) {
  if (count == 0) return;
  size_t workers = std::min<size_t>(count, std::max(1U, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> failures(workers);
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      try {
        for (size_t i = next++; i < count; i = next++) work(i);
      } catch (...) {
        failures[w] = std::current_exception();
        next = count;
      }
    });
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

// The packs of `present` that fail WimFile::check_pack, each removed and
// named in a warning. A pack is derived data: a damaged one is made again,
// never copied into an output.
std::vector<PackJob> drop_damaged(const std::vector<PackJob>& present, const WimInfo& like) {
  std::vector<std::string> damage(present.size());
  on_every_core(present.size(), [&](size_t i) {
    try {
      WimFile::check_pack(present[i].pack, like, present[i].guid);
    } catch (const Error& e) {
      damage[i] = e.problem();
    }
  });
  std::vector<PackJob> damaged;
  for (size_t i = 0; i < present.size(); ++i) {
    if (damage[i].empty()) continue;
    std::fprintf(stderr, "dismake: warning: %s; it is made again\n", damage[i].c_str());
    std::error_code ec;
    fs::remove(present[i].pack, ec);
    damaged.push_back(present[i]);
  }
  return damaged;
}

}  // namespace

std::vector<fs::path> ContentPacks::for_plan(const CommitPlan& plan, const WimInfo& like) {
  if (dir_.empty() || like.compression == Compression::kNone) return {};
  std::map<std::string, std::pair<std::uint64_t, fs::path>> by_sha1;
  for (const auto* files : {&plan.replaced, &plan.created})
    for (const StagedFile& f : *files) {
      std::error_code ec;
      std::uint64_t size = fs::file_size(f.content, ec);
      if (f.sha1.empty() || ec || size < kMinimumSize) continue;
      by_sha1.emplace(f.sha1, std::make_pair(size, f.content));
    }
  std::vector<std::pair<std::uint64_t, std::string>> largest;
  largest.reserve(by_sha1.size());
  for (const auto& [sha1, sized] : by_sha1) largest.emplace_back(sized.first, sha1);
  std::sort(largest.begin(), largest.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (largest.size() > kMaximumPacks) largest.resize(kMaximumPacks);
  std::map<std::string, fs::path> content_by_sha1;
  for (const auto& [size, sha1] : largest) content_by_sha1.emplace(sha1, by_sha1.at(sha1).second);
  if (content_by_sha1.empty()) return {};
  create_private_directory(dir_);
  std::string kind = std::string("-") + compression_name(like.compression) + "-" +
                     std::to_string(like.chunk_size) + ".wim";
  std::vector<fs::path> packs;
  std::vector<PackJob> missing, present;
  for (const auto& [sha1, content] : content_by_sha1) {
    fs::path pack = dir_ / (sha1 + kind);
    used_.insert(pack.filename().string());
    packs.push_back(pack);
    std::error_code ec;
    bool exists = fs::is_regular_file(fs::symlink_status(pack, ec));
    (exists ? present : missing).push_back({content, pack, sha1.substr(0, 32)});
  }
  for (PackJob& job : drop_damaged(present, like)) missing.push_back(std::move(job));
  on_every_core(missing.size(), [&](size_t i) { make_pack(missing[i], like); });
  return packs;
}

void ContentPacks::drop_unused() const {
  if (dir_.empty()) return;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (used_.count(it->path().filename().string()) == 0) fs::remove(it->path(), ec);
}

}  // namespace dismake
