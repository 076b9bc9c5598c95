// Op: one servicing operation a step runs on a mount (add files, delete,
// registry edits, unattend, image info, a command ...). An op declares its
// spec and its inputs, which make up the step's key, and reports exactly the
// image paths it changed, which become the step's state (DESIGN.md, "ops/").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dismake/ops/input_set.h"
#include "dismake/store/serviced_mount.h"

namespace dismake {

class Op {
 public:
  virtual ~Op() = default;

  // The op's name as the CLI spells it ("add", "set-registry-value", ...).
  virtual std::string name() const = 0;
  // Everything that decides what the op does, except input file contents.
  virtual nlohmann::json spec() const = 0;
  // The files and directories whose contents the op reads.
  virtual void collect_inputs(InputSet& inputs) const { (void)inputs; }
  // Checks the op can run on this state before anything is touched; throws
  // Error for a bad input so that a refused step leaves the mount unchanged.
  virtual void check(const ServicedMount& mount) const { (void)mount; }
  // Changes the working tree; returns what it changed.
  virtual StepChanges apply(ServicedMount& mount) = 0;
};

}  // namespace dismake
