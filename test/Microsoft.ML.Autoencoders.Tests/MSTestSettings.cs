// Tests that train share 2 cores; running them in parallel collapses torch's throughput.
[assembly: DoNotParallelize]
