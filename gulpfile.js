const { src, dest } = require('gulp');

// tsc emits only JavaScript: the icons and the codex files travel to dist/ here.
function buildIcons() {
	return src(['icons/**/*.svg', 'nodes/**/*.json'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
