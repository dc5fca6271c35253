#include "audit/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hashveil::audit {
namespace {

constexpr double kWidth = 760, kHeight = 360;
constexpr double kLeft = 70, kRight = 180, kTop = 36, kBottom = 70;  // margins
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

std::string Num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string Tick(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// Tick values: powers of ten on a log axis, five even steps on a linear one.
std::vector<double> Ticks(const Axis& axis) {
  std::vector<double> ticks;
  if (axis.log) {
    const int first = static_cast<int>(std::ceil(std::log10(axis.min)));
    const int last = static_cast<int>(std::floor(std::log10(axis.max)));
    const int step = std::max(1, (last - first) / 8 + 1);
    for (int e = first; e <= last; e += step) ticks.push_back(std::pow(10.0, e));
  } else {
    for (int i = 0; i <= 5; ++i) ticks.push_back(axis.min + (axis.max - axis.min) * i / 5);
  }
  return ticks;
}

double Fraction(const Axis& axis, double value) {
  if (axis.log) {
    value = std::clamp(value, axis.min, axis.max);
    return (std::log10(value) - std::log10(axis.min)) / (std::log10(axis.max) - std::log10(axis.min));
  }
  return (value - axis.min) / (axis.max - axis.min);
}

}  // namespace

std::string EscapeXml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

SvgPlot::SvgPlot(std::string id, std::string title, Axis x, Axis y)
    : id_(std::move(id)), title_(std::move(title)), x_(std::move(x)), y_(std::move(y)) {}

void SvgPlot::AddLine(const std::string& name, const std::vector<std::pair<double, double>>& points,
                      bool dashed) {
  series_.push_back({name, dashed ? Series::Kind::kDashed : Series::Kind::kLine, points});
}

void SvgPlot::AddPoints(const std::string& name,
                        const std::vector<std::pair<double, double>>& points) {
  series_.push_back({name, Series::Kind::kPoints, points});
}

void SvgPlot::AddIntervals(const std::string& name, const std::vector<Interval>& intervals) {
  Series series{name, Series::Kind::kIntervals, {}};
  for (const Interval& i : intervals) {
    series.points.emplace_back(i.x, i.low);
    series.points.emplace_back(i.x, i.high);
  }
  series_.push_back(std::move(series));
}

void SvgPlot::SetCategories(std::vector<std::string> categories) {
  categories_ = std::move(categories);
}

void SvgPlot::AddBars(const std::string& name, const std::vector<double>& values) {
  Series series{name, Series::Kind::kBars, {}};
  for (std::size_t i = 0; i < values.size(); ++i) series.points.emplace_back(i, values[i]);
  series_.push_back(std::move(series));
}

void SvgPlot::AddMarker(double x, const std::string& label) { markers_.emplace_back(x, label); }

double SvgPlot::X(double value) const { return kLeft + Fraction(x_, value) * kPlotWidth; }
double SvgPlot::Y(double value) const { return kTop + (1 - Fraction(y_, value)) * kPlotHeight; }

std::string SvgPlot::Colour(std::size_t index) const {
  static constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                             "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kPalette[index % std::size(kPalette)];
}

std::string SvgPlot::Render() const {
  std::string svg = "<svg id=\"" + EscapeXml(id_) + "\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"" + Num(kWidth) + "\" height=\"" + Num(kHeight) + "\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(kHeight) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<text x=\"" + Num(kWidth / 2) + "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">" +
         EscapeXml(title_) + "</text>\n";
  svg += "<rect x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop) + "\" width=\"" + Num(kPlotWidth) +
         "\" height=\"" + Num(kPlotHeight) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double tick : Ticks(y_)) {
    svg += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kLeft + kPlotWidth) + "\" y1=\"" +
           Num(Y(tick)) + "\" y2=\"" + Num(Y(tick)) + "\" stroke=\"#ddd\"/>";
    svg += "<text x=\"" + Num(kLeft - 4) + "\" y=\"" + Num(Y(tick) + 4) +
           "\" text-anchor=\"end\">" + Tick(tick) + "</text>\n";
  }
  if (categories_.empty()) {
    for (double tick : Ticks(x_)) {
      svg += "<text x=\"" + Num(X(tick)) + "\" y=\"" + Num(kTop + kPlotHeight + 14) +
             "\" text-anchor=\"middle\">" + Tick(tick) + "</text>\n";
    }
  } else {
    const double slot = kPlotWidth / categories_.size();
    for (std::size_t i = 0; i < categories_.size(); ++i) {
      const double x = kLeft + slot * (i + 0.5);
      svg += "<text transform=\"translate(" + Num(x) + "," + Num(kTop + kPlotHeight + 8) +
             ") rotate(40)\" font-size=\"9\">" + EscapeXml(categories_[i]) + "</text>\n";
    }
  }
  svg += "<text x=\"" + Num(kLeft + kPlotWidth / 2) + "\" y=\"" + Num(kHeight - 6) +
         "\" text-anchor=\"middle\">" + EscapeXml(x_.label) + "</text>\n";
  svg += "<text transform=\"translate(14," + Num(kTop + kPlotHeight / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + EscapeXml(y_.label) + "</text>\n";

  std::size_t bar_series = 0;
  for (const Series& s : series_) bar_series += s.kind == Series::Kind::kBars;
  std::size_t bar_index = 0;
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const Series& s = series_[i];
    const std::string colour = Colour(i);
    if (s.kind == Series::Kind::kBars) {
      const double slot = kPlotWidth / std::max<std::size_t>(1, categories_.size());
      const double width = 0.8 * slot / bar_series;
      for (const auto& [category, value] : s.points) {
        const double x = kLeft + slot * category + 0.1 * slot + width * bar_index;
        const double top = Y(std::max(value, y_.min));
        svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(top) + "\" width=\"" + Num(width) +
               "\" height=\"" + Num(kTop + kPlotHeight - top) + "\" fill=\"" + colour + "\"/>";
      }
      ++bar_index;
    } else if (s.kind == Series::Kind::kIntervals) {
      for (std::size_t p = 0; p + 1 < s.points.size(); p += 2) {
        const double x = X(s.points[p].first), low = Y(s.points[p].second),
                     high = Y(s.points[p + 1].second);
        svg += "<path fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.4\" d=\"M" + Num(x) +
               "," + Num(low) + "V" + Num(high) + "M" + Num(x - 4) + "," + Num(low) + "h8M" +
               Num(x - 4) + "," + Num(high) + "h8\"/>";
      }
    } else if (s.kind == Series::Kind::kPoints) {
      for (const auto& [x, y] : s.points) {
        svg += "<circle cx=\"" + Num(X(x)) + "\" cy=\"" + Num(Y(y)) + "\" r=\"3.5\" fill=\"" +
               colour + "\"/>";
      }
    } else {
      std::string path;
      for (const auto& [x, y] : s.points) path += Num(X(x)) + "," + Num(Y(y)) + " ";
      svg += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.6\"" +
             (s.kind == Series::Kind::kDashed ? " stroke-dasharray=\"5,3\"" : "") +
             " points=\"" + path + "\"/>";
    }
    const double legend_y = kTop + 12 + 16 * i;
    svg += "\n<rect x=\"" + Num(kWidth - kRight + 10) + "\" y=\"" + Num(legend_y - 8) +
           "\" width=\"10\" height=\"10\" fill=\"" + colour + "\"/><text x=\"" +
           Num(kWidth - kRight + 24) + "\" y=\"" + Num(legend_y) + "\">" + EscapeXml(s.name) +
           "</text>\n";
  }
  for (const auto& [x, label] : markers_) {
    svg += "<line x1=\"" + Num(X(x)) + "\" x2=\"" + Num(X(x)) + "\" y1=\"" + Num(kTop) +
           "\" y2=\"" + Num(kTop + kPlotHeight) + "\" stroke=\"#555\" stroke-dasharray=\"2,2\"/>";
    svg += "<text x=\"" + Num(X(x) + 3) + "\" y=\"" + Num(kTop + 12) + "\">" + EscapeXml(label) +
           "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace hashveil::audit
