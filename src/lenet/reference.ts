// Published numbers to compare with (PROTOCOL.md 4): single runs, train / test.
export interface Published {
  source: string;
  passes: number;
  trainError: number; // percent
  trainMisses: number;
  testError: number;
  testMisses: number;
}

export const PUBLISHED: Record<string, Published[]> = {
  "01-baseline": [
    { source: "LeCun et al. 1989 (paper, own data)", passes: 23, trainError: 0.14, trainMisses: 10, testError: 5.0, testMisses: 102 },
    { source: "2022 reference (PyTorch, MNIST)", passes: 23, trainError: 0.62, trainMisses: 45, testError: 4.09, testMisses: 82 },
  ],
  "02-cross-entropy": [{ source: "2022 reference (PyTorch, MNIST)", passes: 23, trainError: 0.0, trainMisses: 0, testError: 4.38, testMisses: 87 }],
  "03-adamw": [{ source: "2022 reference (PyTorch, MNIST)", passes: 46, trainError: 0.0, trainMisses: 0, testError: 3.59, testMisses: 72 }],
  "04-augmentation": [{ source: "2022 reference (PyTorch, MNIST)", passes: 60, trainError: 1.7, trainMisses: 123, testError: 2.19, testMisses: 43 }],
  "05-dropout-relu": [{ source: "2022 reference (PyTorch, MNIST)", passes: 80, trainError: 1.47, trainMisses: 106, testError: 1.59, testMisses: 32 }],
  "06a-more-data-1989": [{ source: "2022 reference (PyTorch, MNIST)", passes: 100, trainError: 2.03, trainMisses: 60, testError: 2.74, testMisses: 54 }],
  "06b-more-data-modern": [{ source: "2022 reference (PyTorch, MNIST)", passes: 80, trainError: 1.07, trainMisses: 31, testError: 1.25, testMisses: 24 }],
};

/**
 * The miss count the reference would print for `misses` of `n`: it printed
 * int(err * n) with err a float32 mean, which truncates, so 124 of 7,291 prints as 123.
 * This explains the published counts that are one below their own percentages.
 */
export function referenceMisses(misses: number, n: number): number {
  return Math.trunc(Math.fround(misses / n) * n);
}
