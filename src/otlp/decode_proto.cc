// Placeholder until the decoder lands (helper).
#include "model.h"
