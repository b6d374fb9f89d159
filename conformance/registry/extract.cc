#include "conformance/registry/extract.h"

#include <cctype>
#include <map>
#include <sstream>

namespace berth::conformance {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Whole-word, case-sensitive search (RFC 2119 keywords are upper case).
bool HasWord(std::string_view s, std::string_view word) {
  for (size_t pos = s.find(word); pos != std::string_view::npos; pos = s.find(word, pos + 1)) {
    bool left = pos == 0 || !std::isalpha(static_cast<unsigned char>(s[pos - 1]));
    size_t end = pos + word.size();
    bool right = end >= s.size() || !std::isalpha(static_cast<unsigned char>(s[end]));
    if (left && right) return true;
  }
  return false;
}

// Splits prose into sentences at ". " followed by an upper-case letter, a
// backquote, a link or emphasis, which is how the spec's sentences start.
std::vector<std::string> SplitSentences(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i + 2 < line.size(); ++i) {
    if (line[i] == '.' && line[i + 1] == ' ' &&
        (std::isupper(static_cast<unsigned char>(line[i + 2])) || line[i + 2] == '`' || line[i + 2] == '[' ||
         line[i + 2] == '*')) {
      // "e.g. Foo" and "i.e. Foo" are not sentence ends.
      if (i >= 3 && (line.substr(i - 3, 4) == "e.g." || line.substr(i - 3, 4) == "i.e.")) continue;
      out.push_back(Trim(line.substr(start, i + 1 - start)));
      start = i + 2;
    }
  }
  std::string last = Trim(line.substr(start));
  if (!last.empty()) out.push_back(last);
  return out;
}

std::string StripListMarker(std::string_view line) {
  std::string s = Trim(line);
  if (s.size() > 1 && (s[0] == '*' || s[0] == '-') && s[1] == ' ') return Trim(s.substr(2));
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i + 1 < s.size() && s[i] == '.' && s[i + 1] == ' ') return Trim(s.substr(i + 2));
  return s;
}

}  // namespace

std::string SlugifyHeading(std::string_view heading_line) {
  std::string s(heading_line);
  size_t hashes = 0;
  while (hashes < s.size() && s[hashes] == '#') ++hashes;
  s = s.substr(hashes);
  // Drop HTML anchors such as <a name="x" />.
  for (size_t lt = s.find('<'); lt != std::string::npos; lt = s.find('<')) {
    size_t gt = s.find('>', lt);
    if (gt == std::string::npos) break;
    s.erase(lt, gt - lt + 1);
  }
  std::string slug;
  for (char c : Trim(s)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u))
      slug += static_cast<char>(std::tolower(u));
    else if (c == ' ' || c == '-')
      slug += '-';
    else if (c == '_')
      slug += '_';
  }
  return slug;
}

std::string RequirementLevel(std::string_view sentence) {
  if (HasWord(sentence, "MUST NOT")) return "MUST NOT";
  if (HasWord(sentence, "MUST")) return "MUST";
  if (HasWord(sentence, "SHOULD NOT")) return "SHOULD NOT";
  if (HasWord(sentence, "SHOULD")) return "SHOULD";
  return "";
}

std::string PlatformOf(std::string_view sentence, const std::vector<std::string>& headings) {
  auto about = [&](std::string_view word) {
    if (sentence.find(word) != std::string_view::npos) return true;
    for (const auto& h : headings)
      if (h.find(word) != std::string::npos) return true;
    return false;
  };
  // A sentence that names Linux explicitly applies here even inside a list
  // that also talks about other platforms.
  std::string_view head = sentence.substr(0, 12);
  if (head.find("Linux") != std::string_view::npos) return "linux";
  if (about("Windows") || about("Hyper-V")) return "windows";
  if (about("Solaris")) return "solaris";
  if (about("z/OS")) return "zos";
  return "linux";
}

std::vector<Requirement> ExtractRequirements(std::string_view document_name, std::string_view markdown) {
  std::vector<Requirement> out;
  std::vector<std::string> headings;  // text of each heading level 1..6
  std::string slug = "top";
  std::map<std::string, int> ordinals;
  bool in_fence = false;
  // Emits the statements of one prose block (a paragraph or list item whose
  // continuation lines are joined, since sentences wrap across lines).
  auto emit = [&](const std::string& block, bool table_row) {
    std::vector<std::string> statements;
    if (table_row)
      statements.push_back(block);
    else
      statements = SplitSentences(block);
    for (const auto& sentence : statements) {
      std::string level = RequirementLevel(sentence);
      if (level.empty()) continue;
      if (table_row) {
        // "`nosuid` | MUST | ...": the level column rules the row.
        size_t bar = sentence.find('|');
        size_t bar2 = bar == std::string::npos ? bar : sentence.find('|', bar + 1);
        if (bar2 != std::string::npos) {
          std::string column = Trim(std::string_view(sentence).substr(bar + 1, bar2 - bar - 1));
          if (column == "MUST" || column == "SHOULD") level = column;
        }
      }
      std::string text = CollapseSpace(sentence);
      int ordinal = ++ordinals[slug];
      out.push_back({std::string(document_name) + "#" + slug + "-" + std::to_string(ordinal), level,
                     PlatformOf(text, headings), text});
    }
  };
  std::string block;
  auto flush = [&] {
    if (!block.empty()) emit(CollapseSpace(block), false);
    block.clear();
  };
  std::istringstream in{std::string(markdown)};
  std::string line;
  while (std::getline(in, line)) {
    std::string trimmed = Trim(line);
    if (trimmed.rfind("```", 0) == 0) {
      flush();
      in_fence = !in_fence;
      continue;
    }
    if (in_fence) continue;
    if (trimmed.empty()) {
      flush();
      continue;
    }
    if (trimmed[0] == '#') {
      flush();
      size_t level = 0;
      while (level < trimmed.size() && trimmed[level] == '#') ++level;
      headings.resize(level - 1);
      headings.push_back(trimmed);
      slug = SlugifyHeading(trimmed);
      continue;
    }
    if (trimmed.find('|') != std::string::npos && trimmed.find("| ") != std::string::npos) {
      flush();
      emit(trimmed, true);
      continue;
    }
    std::string item = StripListMarker(trimmed);
    if (item != trimmed) flush();  // a new list item starts a new block
    if (!block.empty()) block += ' ';
    block += item;
  }
  flush();
  return out;
}

std::string RegistryToTsv(const std::vector<Requirement>& requirements) {
  std::string out =
      "# Generated by tools/extract-requirements from the OCI runtime-spec; do not edit.\n"
      "# id\tlevel\tplatform\ttext\n";
  for (const auto& r : requirements) {
    std::string text = r.text;
    for (char& c : text)
      if (c == '\t' || c == '\n') c = ' ';
    out += r.id + "\t" + r.level + "\t" + r.platform + "\t" + text + "\n";
  }
  return out;
}

Result<std::vector<Requirement>> RegistryFromTsv(std::string_view tsv) {
  std::vector<Requirement> out;
  std::istringstream in{std::string(tsv)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      size_t tab = line.find('\t', start);
      if (tab == std::string::npos)
        return Error("registry line " + std::to_string(number) + ": expected 4 tab-separated fields");
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    if (fields[0].find('#') == std::string::npos)
      return Error("registry line " + std::to_string(number) + ": id without '#': " + fields[0]);
    out.push_back({fields[0], fields[1], fields[2], fields[3]});
  }
  return out;
}

}  // namespace berth::conformance
