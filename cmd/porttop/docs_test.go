package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README is for a newcomer's first five minutes; reference lives beside
// its code and is reached by a link. These tests keep both halves honest.

const readmeLimit = 16 * 1024

// mdLink finds a Markdown link's target: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// repoRoot is the repository's top, two folders above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestREADMEIsShort(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > readmeLimit {
		t.Errorf("README.md is %d bytes, over %d: move reference beside its code and link it", len(b), readmeLimit)
	}
}

// anchor is GitHub's anchor for a heading: lower case, spaces to dashes,
// punctuation other than dashes and underscores dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func anchors(md string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			out[anchor(strings.TrimLeft(line, "#"))] = true
		}
	}
	return out
}

// TestDocLinksResolve follows every relative link of the README and of the
// reference pages it links to: the file must exist and a #fragment must name
// one of its headings. Every reference page must be reachable from the README.
func TestDocLinksResolve(t *testing.T) {
	root := repoRoot(t)
	seen := map[string]bool{}
	queue := []string{filepath.Join(root, "README.md")}
	for len(queue) > 0 {
		doc := queue[0]
		queue = queue[1:]
		if seen[doc] {
			continue
		}
		seen[doc] = true
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.Join(filepath.Dir(doc), file)
			}
			rel, _ := filepath.Rel(root, doc)
			st, err := os.Stat(path)
			if err != nil {
				t.Errorf("%s links to %s, which does not exist", rel, target)
				continue
			}
			if !strings.HasSuffix(path, ".md") || st.IsDir() {
				continue
			}
			if frag != "" {
				tb, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !anchors(string(tb))[frag] {
					t.Errorf("%s links to %s: no heading makes #%s", rel, target, frag)
				}
			}
			queue = append(queue, path)
		}
	}
	// Every Markdown page in the tree is reached from the README.
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") && !seen[p] {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s is not reachable by a link from README.md", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
