package wilcoxon

import (
	"errors"
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// The expected values are SciPy's (scipy.stats.wilcoxon, SciPy 1.10.1,
// zero_method="wilcox"), for the examples named in each case.
func TestAgainstSciPy(t *testing.T) {
	cases := []struct {
		name          string
		before, after []float64
		w, p          float64
		exact         bool
		absZ          float64 // 0: not checked
	}{
		{
			// The example of SciPy's documentation of scipy.stats.wilcoxon:
			// Darwin's differences in height of cross- and self-fertilised
			// Zea mays (Fisher, The Design of Experiments), n = 15, no ties:
			// wilcoxon(d) → statistic 24.0, p 0.041259765625 (exact).
			name:   "Darwin's plants, exact",
			before: make([]float64, 15),
			after:  []float64{6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75},
			w:      24, p: 0.041259765625, exact: true,
			// wilcoxon(d, correction=True, mode="approx") → z −2.01626451157708.
			absZ: 2.01626451157708,
		},
		{
			// The worked example of Wikipedia's "Wilcoxon signed-rank test"
			// (x1, x2 of ten pairs, one zero, one tie): wilcoxon(x2, x1,
			// correction=True) → statistic 18.0, p 0.6352893188352069.
			name:   "Wikipedia's ten pairs, ties and a zero",
			before: []float64{125, 115, 130, 140, 140, 115, 140, 125, 140, 135},
			after:  []float64{110, 122, 125, 120, 140, 124, 123, 137, 135, 145},
			w:      18, p: 0.6352893188352069,
		},
		{
			// Twelve answers on a 1–5 scale before and after, with zeros and
			// many ties: wilcoxon(after, before, correction=True) → 0.0,
			// 0.004156648077724367.
			name:   "Likert answers with ties",
			before: []float64{2, 3, 2, 1, 3, 4, 2, 3, 2, 2, 3, 1},
			after:  []float64{4, 4, 3, 3, 3, 5, 2, 4, 4, 3, 4, 2},
			w:      0, p: 0.004156648077724367,
		},
		{
			// Seven answers, a fall among rises: → 2.0, 0.08627556958252945.
			name:   "Likert answers, a fall among rises",
			before: []float64{1, 2, 3, 2, 4, 3, 2},
			after:  []float64{3, 2, 5, 1, 5, 4, 4},
			w:      2, p: 0.08627556958252945,
		},
		{
			// Six untied differences, both ways: → 7.0, 0.5625 (exact).
			name:   "Six untied differences",
			before: []float64{1.0, 2.5, 3.1, 4.7, 5.2, 6.9},
			after:  []float64{2.1, 2.4, 5.2, 8.7, 10.2, 0.9},
			w:      7, p: 0.5625, exact: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Test(c.before, c.after)
			if err != nil {
				t.Fatal(err)
			}
			if res.W != c.w || !near(res.P, c.p) || res.Exact != c.exact {
				t.Errorf("W %v p %v exact %v; SciPy says W %v p %v exact %v", res.W, res.P, res.Exact, c.w, c.p, c.exact)
			}
			if c.absZ != 0 && !near(math.Abs(res.Z), c.absZ) {
				t.Errorf("|Z| %v, SciPy %v", math.Abs(res.Z), c.absZ)
			}
			if !near(res.R, res.Z/math.Sqrt(float64(res.N))) {
				t.Errorf("r %v is not Z/√N = %v", res.R, res.Z/math.Sqrt(float64(res.N)))
			}
		})
	}
}

func TestDirectionAndZeros(t *testing.T) {
	up, err := Test([]float64{1, 2, 2, 3, 1, 2}, []float64{3, 4, 2, 5, 4, 3})
	if err != nil {
		t.Fatal(err)
	}
	if up.N != 5 || up.Z <= 0 || up.R <= 0 || up.W != 0 {
		t.Errorf("all up: %+v", up)
	}
	down, _ := Test([]float64{3, 4, 2, 5, 4, 3}, []float64{1, 2, 2, 3, 1, 2})
	if down.Z >= 0 || down.R >= 0 || !near(down.P, up.P) {
		t.Errorf("all down: %+v vs %+v", down, up)
	}
	if _, err := Test([]float64{3, 3}, []float64{3, 3}); !errors.Is(err, ErrNoDifferences) {
		t.Errorf("no differences: %v", err)
	}
	if _, err := Test([]float64{3}, nil); err == nil {
		t.Error("samples of different lengths accepted")
	}
}

// The exact distribution's probabilities add up to 1 and are symmetric.
func TestExactDistribution(t *testing.T) {
	for n := 1; n <= 20; n++ {
		maxSum := n * (n + 1) / 2
		if p := exactP(n, float64(maxSum)); p != 1 {
			t.Errorf("n %d: P(W ≤ max) doubled = %v, want 1 (capped)", n, p)
		}
	}
	// n = 5: sums 0 and 1 have one subset each of 32: p(W=1) = 2·2/32.
	if p := exactP(5, 1); !near(p, 0.125) {
		t.Errorf("n 5, W 1: %v", p)
	}
}

func TestMedian(t *testing.T) {
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("odd: %v", m)
	}
	if m := Median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("none: not NaN")
	}
}
