// Debian's cpp-httplib is a compiled library built without ThreadSanitizer. Its client builds the
// regex that parses a response line once, in a function-local static whose guard check the
// library inlines, so TSan cannot see that later threads are ordered after the construction and
// reports a race on the regex. One request from the thread that then starts the client threads
// constructs it first, and thread creation orders every client after that.
#pragma once

#include <httplib.h>

namespace hashveil::testing {

// Any answer will do: the regex is built while the response line is read.
inline void WarmUpHttpClient(int port) { (void)httplib::Client("127.0.0.1", port).Get("/healthz"); }

}  // namespace hashveil::testing
