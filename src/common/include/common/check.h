#pragma once

#include <cstdio>
#include <cstdlib>

// TC_CHECK: always on. For invariants whose violation means a bug; aborts with the location.
#define TC_CHECK(cond)                                                                  \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", #cond, __FILE__, __LINE__);   \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

#ifdef NDEBUG
#define TC_DCHECK(cond) \
  do {                  \
  } while (false && (cond))
#else
#define TC_DCHECK(cond) TC_CHECK(cond)
#endif
