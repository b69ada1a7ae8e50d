// Package wilcoxon is the Wilcoxon signed-rank test for paired samples, as
// SciPy's scipy.stats.wilcoxon computes it with zero_method="wilcox" and
// correction=True, and the figures an evaluation reports beside it.
//
//   - Differences of zero are dropped (Wilcoxon's convention, not Pratt's),
//     and n is the number of differences left.
//   - The absolute differences are ranked; tied ones get the average of
//     their ranks.
//   - W is the smaller of the sums of the ranks of the positive and of the
//     negative differences.
//   - The two-sided p-value is exact — from the distribution of the sum of
//     a random subset of 1…n — when n is at most ExactLimit and no ranks are
//     tied. Otherwise it is the normal approximation, with the variance
//     corrected for ties and a continuity correction of ½ towards the mean.
//   - Z is the normal approximation's statistic (with the same corrections),
//     signed so that it is positive when the second sample is higher, and
//     the effect size r = Z/√n.
package wilcoxon

import (
	"errors"
	"math"
	"slices"
	"sort"
)

// ExactLimit is the largest n for which the exact distribution is used.
const ExactLimit = 50

// ErrNoDifferences is returned when every pair is equal (or there are
// none): there is nothing to test.
var ErrNoDifferences = errors.New("wilcoxon: no pair differs")

// Result is the test of one set of pairs.
type Result struct {
	N     int     // pairs that differ
	WPlus float64 // sum of the ranks of increases (after − before > 0)
	W     float64 // min(W+, W−), the statistic reported
	P     float64 // two-sided p-value
	Exact bool    // whether P is exact
	Z     float64 // normal-approximation statistic, positive for increases
	R     float64 // effect size Z/√N
}

// Test compares before and after, pair by pair. The slices must have the
// same length.
func Test(before, after []float64) (Result, error) {
	if len(before) != len(after) {
		return Result{}, errors.New("wilcoxon: the samples differ in length")
	}
	var d []float64
	for i := range before {
		if x := after[i] - before[i]; x != 0 {
			d = append(d, x)
		}
	}
	n := len(d)
	if n == 0 {
		return Result{}, ErrNoDifferences
	}
	ranks, tieTerm := rankAbs(d)
	var wPlus, total float64
	for i, x := range d {
		if x > 0 {
			wPlus += ranks[i]
		}
		total += ranks[i]
	}
	wMinus := total - wPlus
	res := Result{N: n, WPlus: wPlus, W: math.Min(wPlus, wMinus)}

	nf := float64(n)
	mean := nf * (nf + 1) / 4
	variance := nf*(nf+1)*(2*nf+1)/24 - tieTerm/48
	if variance > 0 {
		diff := wPlus - mean
		// Continuity correction: ½ towards the mean.
		switch {
		case diff > 0:
			diff = math.Max(diff-0.5, 0)
		case diff < 0:
			diff = math.Min(diff+0.5, 0)
		}
		res.Z = diff / math.Sqrt(variance)
		res.R = res.Z / math.Sqrt(nf)
	}
	if n <= ExactLimit && tieTerm == 0 {
		res.P, res.Exact = exactP(n, res.W), true
	} else {
		res.P = math.Min(1, 2*normalSF(math.Abs(res.Z)))
	}
	return res, nil
}

// rankAbs ranks |d| from 1, ties sharing their average rank, and returns
// Σ(t³ − t) over the groups of t tied values.
func rankAbs(d []float64) ([]float64, float64) {
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(d[idx[a]]) < math.Abs(d[idx[b]]) })
	ranks := make([]float64, len(d))
	var tie float64
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && math.Abs(d[idx[j+1]]) == math.Abs(d[idx[i]]) {
			j++
		}
		avg := float64(i+j+2) / 2
		for k := i; k <= j; k++ {
			ranks[idx[k]] = avg
		}
		if t := float64(j - i + 1); t > 1 {
			tie += t*t*t - t
		}
		i = j + 1
	}
	return ranks, tie
}

// exactP is the two-sided exact p-value of the smaller rank sum w among n
// untied ranks: twice the chance of a sum at most w, at most 1.
func exactP(n int, w float64) float64 {
	maxSum := n * (n + 1) / 2
	// counts[s] is the number of subsets of 1…n whose sum is s.
	counts := make([]float64, maxSum+1)
	counts[0] = 1
	for k := 1; k <= n; k++ {
		for s := maxSum; s >= k; s-- {
			counts[s] += counts[s-k]
		}
	}
	total := math.Ldexp(1, n)
	var below float64
	for s := 0; s <= int(math.Floor(w)) && s <= maxSum; s++ {
		below += counts[s]
	}
	return math.Min(1, 2*below/total)
}

// normalSF is the standard normal's upper tail, P(Z > z).
func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// Median is the median of xs (the mean of the middle two for an even
// count); NaN for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
