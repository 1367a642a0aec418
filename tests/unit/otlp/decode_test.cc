// Placeholder until the decoder tests land.
#include <gtest/gtest.h>
