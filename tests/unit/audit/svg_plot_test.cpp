#include "audit/svg_plot.h"

#include <gtest/gtest.h>

namespace hashveil::audit {
namespace {

TEST(SvgPlotTest, RendersSeriesLegendAndEscapedText) {
  SvgPlot plot("p1", "A <title>", {"x", 0, 10}, {"y", 1e-6, 1, true});
  plot.AddLine("line & co", {{0, 1e-6}, {10, 1}});
  plot.AddPoints("points", {{5, 1e-3}});
  plot.AddMarker(3, "3");
  const std::string svg = plot.Render();
  EXPECT_NE(svg.find("id=\"p1\""), std::string::npos);
  EXPECT_NE(svg.find("A &lt;title&gt;"), std::string::npos);
  EXPECT_NE(svg.find("line &amp; co"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_EQ(svg, plot.Render());
}

TEST(SvgPlotTest, BarsOnePerCategoryAndSeries) {
  SvgPlot plot("bars", "t", {"c", 0, 1}, {"v", 0, 1});
  plot.SetCategories({"a", "b", "c"});
  plot.AddBars("s1", {0.1, 0.5, 1.0});
  plot.AddBars("s2", {0.2, 0.3, 0.4});
  const std::string svg = plot.Render();
  std::size_t rects = 0;
  for (std::size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) ++rects;
  EXPECT_EQ(rects, 1u + 6u + 2u);  // frame, bars, legend swatches
}

}  // namespace
}  // namespace hashveil::audit
