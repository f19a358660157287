// The benchmark suite (SPEC §10) arrives with its own issue; until then this says so plainly.
console.log('npm run bench: no benchmarks yet. SPEC §10 targets P1–P7 are measured by the benchmark issue (#7).');
