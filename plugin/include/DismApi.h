// Windows programs include "DismApi.h"; Linux file names are case-sensitive.
#include "dismapi.h"
