// What several pages know about flags and environments.
import {api, path} from './api.js';
import {confirmChange, notify} from './dom.js';

/** Environments whose changes are confirmed and commented, as the CLI and the API record them. */
export function isProtected(env) {
  return env === 'production' || env.startsWith('prod');
}

/** A flag untouched this long, and not evaluated in the last hour, is shown as stale. */
export const STALE_DAYS = 30;

export function isStale(flag, usage, now = Date.now()) {
  const untouched = now - Date.parse(flag.updatedAt) > STALE_DAYS * 86400_000;
  return untouched && lastHour(usage) === 0;
}

/** Evaluations in the last hour (usage.total counts since the replica started). */
export function lastHour(usage) {
  return usage && usage.perMinute ? usage.perMinute.reduce((a, b) => a + b, 0) : 0;
}

/**
 * Turns a flag on or off in an environment, asking first where that environment is protected
 * (a comment always; the flag's key typed, for the kill switch). Resolves to the new setting, or
 * null when the user cancelled.
 */
export async function switchFlag(project, flag, env, on) {
  let comment = null;
  if (isProtected(env)) {
    const answer = await confirmChange({
      title: `${on ? 'Turn on' : 'Kill switch: turn off'} ${flag.key} in ${env}`,
      message: on
        ? `Every caller in ${env} gets ${flag.key}'s configured variants again.`
        : `Every caller in ${env} falls back to its code default for ${flag.key} (reason DISABLED).`,
      action: on ? 'Turn on' : 'Turn off',
      danger: !on,
      requireComment: true,
      typeToConfirm: on ? null : flag.key,
    });
    if (!answer) return null;
    comment = answer.comment;
  }
  const setting = await api('PATCH', path`/api/v1/projects/${project}/flags/${flag.key}/environments/${env}`,
    {body: {state: on ? 'ENABLED' : 'DISABLED'}, version: flag.version, comment});
  flag.version = setting.version;
  flag.environments[env] = {...flag.environments[env], state: setting.state};
  notify(`${flag.key} is ${on ? 'on' : 'off'} in ${env}.`);
  return setting;
}
