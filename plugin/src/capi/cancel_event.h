// DISM's CancelEvent without Win32 events: a flag behind an opaque HANDLE
// (made by DismakeCreateCancelEvent), checked at every progress step. Live
// events are kept in a process-wide table and a handle is only ever looked
// up there, never dereferenced, so a Win32-shaped handle (a small integer)
// or a closed one is refused rather than read.
#pragma once

#include "dismapi.h"

namespace dismake::capi {

// False for NULL (no event given). Throws Error E_INVALIDARG for a handle
// that is not a live event made by DismakeCreateCancelEvent.
bool cancel_event_is_set(HANDLE event);

// The same without throwing, for progress callbacks that run inside wimlib's
// C code: false also for a handle that is no (longer a) live event.
bool live_cancel_event_is_set(HANDLE event) noexcept;

// The three exported Dismake*CancelEvent functions. Set and close ignore a
// handle that is no live event (they return nothing to report it with).
HANDLE create_cancel_flag();
void set_cancel_flag(HANDLE event);
void close_cancel_flag(HANDLE event);

}  // namespace dismake::capi
