/*
 * A Yarn 2+ (Berry) plugin, loaded with YARN_PLUGINS, that adds `yarn heroku prune`: an install of
 * the project with every workspace's devDependencies left out, as Heroku's buildpack offers under
 * that name. Yarn 4 bundles `workspaces focus --production`, which does the same, but Yarn 2 and 3
 * do not ship it, so the buildpack brings its own command and runs it on every Berry version.
 *
 * The install is not persisted (package.json files and yarn.lock stay as they are); then Yarn's own
 * cache clean-up removes the cache entries nothing uses any more, and reports each one.
 *
 * Written against Yarn's public plugin API: the modules a plugin's factory may `require`
 * (@yarnpkg/cli, @yarnpkg/core, clipanion), for clipanion 2 (Yarn 2) and 3+ (Yarn 3, 4).
 */
module.exports = {
  name: 'plugin-paas-prune-dev-dependencies',
  factory(require) {
    const { BaseCommand } = require('@yarnpkg/cli');
    const { Cache, Configuration, Project, StreamReport } = require('@yarnpkg/core');
    const clipanion = require('clipanion');

    class PruneDevDependencies extends BaseCommand {
      async execute() {
        const configuration = await Configuration.find(this.context.cwd, this.context.plugins);
        const { project } = await Project.find(configuration, this.context.cwd);
        const cache = await Cache.find(configuration);
        // the resolutions stay as the lockfile has them: nothing is resolved anew
        if (typeof project.restoreInstallState === 'function') {
          await project.restoreInstallState({ restoreResolutions: false });
        }
        for (const workspace of project.workspaces) {
          workspace.manifest.devDependencies.clear();
        }
        const report = await StreamReport.start(
          { configuration, json: false, stdout: this.context.stdout, includeLogs: true },
          async (streamReport) => {
            await project.install({ cache, report: streamReport, persistProject: false });
            // the cache entries only dev dependencies used go too (an install that is not
            // persisted leaves the cache as it was)
            if (typeof project.cacheCleanup === 'function') {
              await project.cacheCleanup({ cache, report: streamReport });
            }
          },
        );
        return report.exitCode();
      }
    }

    if (typeof clipanion.Command.Path === 'function') {
      // clipanion 2 (Yarn 2): paths are declared with a decorator
      clipanion.Command.Path('heroku', 'prune')(PruneDevDependencies.prototype, 'execute');
    } else {
      PruneDevDependencies.paths = [['heroku', 'prune']];
    }
    if (typeof clipanion.Command.Usage === 'function') {
      PruneDevDependencies.usage = clipanion.Command.Usage({
        description: 'remove every workspace\'s devDependencies from the install (paas\'s Node.js buildpack)',
      });
    }

    return { commands: [PruneDevDependencies] };
  },
};
