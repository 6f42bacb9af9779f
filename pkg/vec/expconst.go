package vec

// Constants of the exp, sigmoid and tanh kernels. asmgen.go writes the same
// values into the assembly's constant table.
const (
	// expLog2e is log2(e): n = round(x·log2 e) picks the power of two.
	expLog2e = 1.44269504088896340736
	// expLn2Hi + expLn2Lo = ln 2 (Cody–Waite split). expLn2Hi has only 9
	// significant bits, so n·expLn2Hi is exact for |n| ≤ 2^15 and the first
	// step of the range reduction x − n·ln2 loses nothing.
	expLn2Hi = 0.693359375
	expLn2Lo = -2.12194440e-4
	// expC2..expC7 are the Taylor coefficients 1/k! of e^r; on
	// |r| ≤ ln2/2 the degree-7 polynomial is off by at most 5e-9 relative,
	// well under float32's half-ulp of 6e-8.
	expC7 = 1.0 / 5040
	expC6 = 1.0 / 720
	expC5 = 1.0 / 120
	expC4 = 1.0 / 24
	expC3 = 1.0 / 6
	expC2 = 0.5
	// expHi and expLo clamp x: e^89 overflows float32 (so +Inf), e^-104 is
	// below half the smallest subnormal (so 0), and within them both
	// factors 2^(n>>1) and 2^(n−n>>1) of 2^n are normal numbers.
	expHi = 89
	expLo = -104
	// Below |x| = tanhSmall, tanh uses its Taylor series
	// x + t3·x³ + t5·x⁵ + t7·x⁷ + t9·x⁹ (next term < 1e-8 relative) because
	// (1−e^(−2|x|))/(1+e^(−2|x|)) would lose digits to cancellation.
	tanhSmall = 0.25
	tanhT3    = -1.0 / 3
	tanhT5    = 2.0 / 15
	tanhT7    = -17.0 / 315
	tanhT9    = 62.0 / 2835
)
