// A minimal SVG chart writer for the audit report: axes (linear or log10), line series, point
// series and grouped bars, a legend. Output is deterministic text (fixed number formatting), so
// the page is byte-identical for the same data.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hashveil::audit {

struct Axis {
  std::string label;
  double min = 0, max = 1;
  bool log = false;  // log10 scale; min and max must be > 0
};

class SvgPlot {
 public:
  SvgPlot(std::string id, std::string title, Axis x, Axis y);

  // A polyline (dashed when asked) through the points; points outside a log axis's range are
  // clamped to it.
  void AddLine(const std::string& name, const std::vector<std::pair<double, double>>& points,
               bool dashed = false);
  void AddPoints(const std::string& name, const std::vector<std::pair<double, double>>& points);
  // Vertical interval bars (x, low, high) with caps, e.g. confidence intervals.
  struct Interval {
    double x, low, high;
  };
  void AddIntervals(const std::string& name, const std::vector<Interval>& intervals);
  // One group of bars per category, one bar per series; values on the y axis.
  void SetCategories(std::vector<std::string> categories);
  void AddBars(const std::string& name, const std::vector<double>& values);
  // A vertical marker line at x with a label.
  void AddMarker(double x, const std::string& label);

  std::string Render() const;

 private:
  struct Series {
    std::string name;
    enum class Kind { kLine, kDashed, kPoints, kBars, kIntervals } kind;
    // For bars: (category index, value); for intervals: (x, low), (x, high) in turn.
    std::vector<std::pair<double, double>> points;
  };
  double X(double value) const;
  double Y(double value) const;
  std::string Colour(std::size_t index) const;

  std::string id_, title_;
  Axis x_, y_;
  std::vector<std::string> categories_;
  std::vector<Series> series_;
  std::vector<std::pair<double, std::string>> markers_;
};

// Escapes &, <, >, " for HTML/SVG text.
std::string EscapeXml(const std::string& text);

}  // namespace hashveil::audit
