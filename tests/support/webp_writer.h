// Test WebPs that libwebp's simple encoding API does not write: an animation.
#pragma once

#include <cstdint>
#include <vector>

namespace hashveil::testing {

namespace webp_writer_internal {

inline void AppendLe(std::vector<std::uint8_t>& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

inline void AppendChunk(std::vector<std::uint8_t>& out, const char* tag,
                        const std::vector<std::uint8_t>& data) {
  out.insert(out.end(), tag, tag + 4);
  AppendLe(out, static_cast<std::uint32_t>(data.size()), 4);
  out.insert(out.end(), data.begin(), data.end());
  if (data.size() % 2) out.push_back(0);
}

}  // namespace webp_writer_internal

// A one-frame animation (VP8X with the animation flag, ANIM, one ANMF) around `still`, a
// width x height simple-format WebP (RIFF header, then its VP8 or VP8L chunk), laid out as
// libwebp's muxer writes it.
inline std::vector<std::uint8_t> AnimatedWebp(const std::vector<std::uint8_t>& still, int width,
                                              int height) {
  using namespace webp_writer_internal;
  std::vector<std::uint8_t> vp8x = {0x02, 0, 0, 0};  // the animation flag
  AppendLe(vp8x, static_cast<std::uint32_t>(width - 1), 3);
  AppendLe(vp8x, static_cast<std::uint32_t>(height - 1), 3);
  std::vector<std::uint8_t> anim;
  AppendLe(anim, 0, 4);  // background colour
  AppendLe(anim, 0, 2);  // loop forever
  std::vector<std::uint8_t> anmf;
  AppendLe(anmf, 0, 3);  // x / 2
  AppendLe(anmf, 0, 3);  // y / 2
  AppendLe(anmf, static_cast<std::uint32_t>(width - 1), 3);
  AppendLe(anmf, static_cast<std::uint32_t>(height - 1), 3);
  AppendLe(anmf, 100, 3);  // duration (ms)
  anmf.push_back(0);       // blend, no dispose
  anmf.insert(anmf.end(), still.begin() + 12, still.end());
  std::vector<std::uint8_t> body = {'W', 'E', 'B', 'P'};
  AppendChunk(body, "VP8X", vp8x);
  AppendChunk(body, "ANIM", anim);
  AppendChunk(body, "ANMF", anmf);
  std::vector<std::uint8_t> webp = {'R', 'I', 'F', 'F'};
  AppendLe(webp, static_cast<std::uint32_t>(body.size()), 4);
  webp.insert(webp.end(), body.begin(), body.end());
  return webp;
}

}  // namespace hashveil::testing
