const path = require('node:path');
const ts = require('typescript');

// Compiler options of tsconfig.test.json. ts-jest applies them over tsconfig.json (found in
// <rootDir>, and the file tsconfig.test.json extends), which gives tsconfig.test.json's options.
// They are passed as an object, not as a path, so that `isolatedModules` can be added as a
// compiler option: ts-jest 29 warns on every run that its own `isolatedModules` option is deprecated.
const { config: testTsconfig, error } = ts.readConfigFile(
	path.join(__dirname, 'tsconfig.test.json'),
	ts.sys.readFile,
);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));

/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': [
			'ts-jest',
			{
				// isolatedModules: transpile each file on its own, no type-check program (much faster).
				// Type errors are caught by `tsc` in `npm run build` and by the linter.
				tsconfig: { ...testTsconfig.compilerOptions, isolatedModules: true },
				diagnostics: false,
			},
		],
	},
	// Must run before any test file imports n8n-core (env, temp N8N_USER_FOLDER).
	setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
	testTimeout: 30000,
};
