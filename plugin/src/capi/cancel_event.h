// DISM's CancelEvent without Win32 events: a flag behind an opaque HANDLE
// (made by DismakeCreateCancelEvent), checked at every progress step. Live
// events are kept in a process-wide table and a handle is only ever looked
// up there, never dereferenced. Any other handle is foreign: a Win32-shaped
// handle from code written for Windows, or .NET's own event handle, which
// ManagedDism passes to every call with a progress callback. It is accepted
// and can never cancel, since nothing here could ever see it signalled.
#pragma once

#include "dismapi.h"

namespace dismake::capi {

// Whether `event` is a live event made by DismakeCreateCancelEvent and set.
// False for NULL, for a foreign handle and for a closed one. Safe inside
// wimlib's C callbacks: it never throws.
bool cancel_event_is_set(HANDLE event) noexcept;

// The three exported Dismake*CancelEvent functions. Set and close ignore a
// handle that is no live event (they return nothing to report it with).
HANDLE create_cancel_flag();
void set_cancel_flag(HANDLE event);
void close_cancel_flag(HANDLE event);

}  // namespace dismake::capi
