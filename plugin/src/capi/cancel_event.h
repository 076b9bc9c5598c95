// DISM's CancelEvent without Win32 events: a flag behind an opaque HANDLE
// (made by DismakeCreateCancelEvent), checked at every progress step.
#pragma once

#include "dismapi.h"

namespace dismake::capi {

// False for NULL (no event given). Throws Error E_INVALIDARG for a handle
// DismakeCreateCancelEvent did not make.
bool cancel_event_is_set(HANDLE event);

// The three exported Dismake*CancelEvent functions.
HANDLE create_cancel_flag();
void set_cancel_flag(HANDLE event);
void close_cancel_flag(HANDLE event);

}  // namespace dismake::capi
