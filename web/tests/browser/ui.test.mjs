// The browser shell end to end, in headless Chromium: a mentee and a mentor,
// each with their own `tandem ui`, through one sync server on loopback; and a
// newcomer whose fresh home opens on the first run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { World, request } from './harness.mjs';

const screens = process.env.SCREENS_DIR || 'screens';
mkdirSync(screens, { recursive: true });
const world = new World();
let browser, sam, alex, samUrl, alexUrl, server;

// A calendar day as the people here count it: in Europe/Berlin, not UTC (from
// 23:00 UTC in winter the two disagree on the date).
const zone = 'Europe/Berlin';
const daysAgo = (n) => new Date(Date.now() - n * 86400000).toLocaleDateString('en-CA', { timeZone: zone });

before(async () => {
  server = await world.server();
  // Sam, the mentee: a few weeks in, a goal with a milestone, paired with Alex.
  world.cli('sam', 'init', '--name', 'Sam', '--timezone', zone);
  world.cli('sam', 'track', 'add', '--name', 'alcohol', '--since', daysAgo(40));
  for (const [t, i] of [['payday', 7], ['argument', 5], ['bar', 8]]) {
    world.cli('sam', 'craving', 'add', '--trigger', t, '--intensity', String(i), '--helped', 'walk', '--outcome', 'resisted');
  }
  // Three earlier weeks of cravings, so that Insights has something to draw.
  const triggers = ['payday', 'argument', 'bar on the way home', 'alone at night', 'work stress'];
  const helped = ['called my mentor', 'walk', 'meeting', 'tea'];
  for (let d = 21; d >= 1; d--) {
    const at = new Date(Date.now() - d * 86400000);
    at.setUTCHours(8 + ((d * 5) % 14), 0, 0, 0);
    world.cli('sam', 'craving', 'add', '--trigger', triggers[d % 5], '--intensity', String((d * 7) % 9 + 1),
      '--helped', helped[d % 4], '--outcome', d % 6 === 0 ? 'used' : 'resisted', '--at', at.toISOString().replace(/\.\d+Z$/, 'Z'));
  }
  const goal = world.cli('sam', 'goal', 'add', '--title', 'Ninety meetings in ninety days');
  world.cli('sam', 'goal', 'milestone', 'add', goal.id, '--title', 'First ten meetings');
  world.cli('sam', 'sync', '--server', server);
  const { code } = world.cli('sam', 'pair', 'invite');
  world.cli('alex', 'init', '--name', 'Alex', '--timezone', zone);
  world.cli('alex', 'pair', 'join', code, '--server', server);
  world.cli('sam', 'sync');
  world.cli('sam', 'share', 'goal', goal.id);
  world.cli('sam', 'note', 'new', '--title', 'Relapse-prevention plan', '--text', 'Call Alex.');
  world.cli('sam', 'sync');
  world.cli('alex', 'sync');

  samUrl = await world.ui('sam');
  alexUrl = await world.ui('alex');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  sam = await (await browser.newContext({ viewport: { width: 412, height: 915 } })).newPage();
  alex = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
  await sam.goto(samUrl);
  await alex.goto(alexUrl);
});

after(async () => {
  await browser?.close();
  world.stop();
});

const nav = (page, name) => page.getByRole('navigation').getByRole('link', { name, exact: true });
const shot = (page, name) => page.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
const syncNow = async (page) => {
  await nav(page, 'Settings').click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.waitForURL(/\/settings$/);
};

// No sideways scrolling at this page's width, a label on every field, one h1.
const fits = async (page, what) => {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `${what} has fields without a label`);
  assert.equal(await page.locator('h1').count(), 1, `${what} has one h1`);
};

test('the token moved from the address into a cookie, and Today shows clean time', async () => {
  assert.equal(new URL(sam.url()).search, '', 'the token left the address bar');
  await assert.doesNotReject(sam.getByRole('heading', { name: 'Today', level: 1 }).waitFor());
  assert.match(await sam.textContent('main'), /40 days/);
  await shot(sam, 'today');
});

test('a mentee logs a craving from Today in two clicks', async () => {
  await sam.getByRole('main').getByRole('link', { name: 'Log a craving' }).click(); // click 1
  await sam.getByLabel('What set it off?').fill('payday again');
  await shot(sam, 'log-craving');
  await sam.getByRole('button', { name: 'Save craving' }).click();              // click 2
  await sam.waitForURL(samUrl.replace(/\?token=.*/, ''));
  assert.match(await sam.textContent('main'), /4 cravings logged/);
});

test('a mentee writes a private journal entry and checks in', async () => {
  await nav(sam, 'Journal').click();
  await sam.getByLabel('New entry').fill('Private: the argument with my brother still stings.');
  await sam.getByLabel('Mood (optional)').selectOption('2');
  await sam.getByRole('button', { name: 'Save entry' }).click();
  assert.match(await sam.textContent('main'), /the argument with my brother/);
  await shot(sam, 'journal');
  await nav(sam, 'Today').click();
  await sam.getByRole('link', { name: 'Check in for today' }).click();
  await sam.getByLabel('Mood, 1 (low) to 5 (good)').fill('4');
  await shot(sam, 'check-in');
  await sam.getByRole('button', { name: 'Save check-in' }).click();
  assert.match(await sam.textContent('main'), /Checked in: mood 4 of 5/);
});

test('a mentee completes a milestone of a shared goal', async () => {
  await nav(sam, 'Goals').click();
  await sam.getByRole('button', { name: 'Mark “First ten meetings” done' }).click();
  const main = await sam.textContent('main');
  assert.match(main, /1 of 1 milestones done/);
  assert.match(main, /Their phone may already hold a copy/);
  await shot(sam, 'goals');
  await nav(sam, 'Insights').click();
  assert.equal(await sam.locator('svg[role=img]').count(), 3);
  await shot(sam, 'insights');
});

test('after sync the mentor sees the milestone and not the private entry', async () => {
  await syncNow(sam);
  await shot(sam, 'settings');
  await syncNow(alex);
  await nav(alex, 'Mentor overview').click();
  const main = await alex.textContent('main');
  assert.match(main, /Sam/);
  assert.match(main, /Ninety meetings in ninety days: 1 of 1 milestones done/);
  assert.doesNotMatch(main, /argument with my brother/);
  await shot(alex, 'mentor-overview');
});

test('both edit the shared note and see each other\'s text after sync', async () => {
  for (const [page, text] of [[sam, 'First: Call Alex.'], [alex, 'Call Alex. Then go to a meeting.']]) {
    await nav(page, 'Shared notes').click();
    await page.getByRole('link', { name: 'Relapse-prevention plan' }).click();
    await page.getByLabel('Text').fill(text);
    await page.getByRole('button', { name: 'Save note' }).click();
  }
  await syncNow(sam);
  await syncNow(alex);
  await syncNow(sam);
  for (const page of [sam, alex]) {
    await nav(page, 'Shared notes').click();
    await page.getByRole('link', { name: 'Relapse-prevention plan' }).click();
    assert.equal(await page.getByLabel('Text').inputValue(), 'First: Call Alex. Then go to a meeting.');
  }
  await shot(sam, 'shared-note');
  const codes = [];
  for (const page of [sam, alex]) {
    await nav(page, 'Pair').click();
    codes.push((await page.textContent('main')).match(/Safety code (\d{5} \d{5} \d{5} \d{5})/)?.[1]);
  }
  assert.ok(codes[0], 'the pair shows a safety code');
  assert.equal(codes[0], codes[1], 'both phones show the same safety code');
  await sam.getByRole('button', { name: 'Invite a mentor' }).click();
  assert.equal(await sam.locator('svg[aria-label="Invite code as a QR code"]').count(), 1);
  assert.match(await sam.textContent('main'), /TP3-/);
  await shot(sam, 'pair');
});

test('a pair agrees on meeting times, the mentee asks to move one from Today, the calendar downloads', async () => {
  await nav(sam, 'Meetings').click();
  // The invite made above nobody joined: only the pair with Alex is offered,
  // so the page asks for no choice.
  assert.equal(await sam.getByLabel('With', { exact: true }).count(), 0);
  await sam.getByLabel('Every week, on the days ticked below').check();
  await sam.getByLabel('Sun', { exact: true }).check();
  await sam.getByLabel('Wed', { exact: true }).check();
  await sam.getByLabel('Date (once), or the first day (repeating)').fill(daysAgo(0));
  await sam.getByLabel('Time, in the time zone below').fill('19:00');
  assert.equal(await sam.getByLabel(/^Time zone the two of you agreed on/).inputValue(), 'Europe/Berlin');
  await sam.getByLabel('How you meet').selectOption('video');
  await sam.getByRole('button', { name: 'Add schedule' }).click();
  await sam.waitForURL(/\/meetings$/);
  const main = await sam.textContent('main');
  assert.match(main, /Every week on Wed, Sun at 19:00 \(Europe\/Berlin\)/);
  assert.match(main, /Video call/);
  await fits(sam, 'the Meetings page');
  await shot(sam, 'meetings');
  await sam.locator('#ahead ~ ul a').first().click();
  await sam.getByRole('heading', { name: 'Meeting', level: 1 }).waitFor();
  await fits(sam, 'a meeting record');
  await shot(sam, 'meeting');

  await nav(sam, 'Today').click();
  assert.match(await sam.textContent('main'), /Next meeting/);
  await sam.getByRole('button', { name: 'Ask to reschedule' }).click();
  await sam.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  assert.match(await sam.textContent('main'), /Another time was asked for/);
  assert.equal(await sam.getByRole('button', { name: 'Ask to reschedule' }).count(), 0);
  await syncNow(sam);
  await syncNow(alex);
  await nav(alex, 'Mentor overview').click();
  assert.match(await alex.textContent('main'), /Asked to reschedule: 1 meeting/);

  const cookie = (await sam.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const ics = await request(new URL('/meetings.ics', samUrl).href, { headers: { cookie } });
  assert.equal(ics.status, 200);
  assert.match(ics.headers['content-type'], /^text\/calendar/);
  assert.match(ics.headers['content-disposition'], /^attachment/);
  assert.match(ics.body, /RRULE:FREQ=WEEKLY;BYDAY=(WE,SU|SU,WE)/);
});

test('requests without the token, from a foreign Host, or forms without CSRF are refused', async () => {
  const base = new URL(samUrl);
  const origin = `http://${base.host}`;
  const noToken = await request(`${origin}/`);
  assert.equal(noToken.status, 403);
  const cookie = (await sam.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const ok = await request(`${origin}/journal`, { headers: { cookie } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['cache-control'], 'no-store');
  const wrongToken = await request(`${origin}/?token=${'0'.repeat(64)}`);
  assert.equal(wrongToken.status, 403);
  const rebound = await request(`${origin}/journal`, { headers: { cookie, host: `evil.example:${base.port}` } });
  assert.equal(rebound.status, 403);
  const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
  const noCsrf = await request(`${origin}/journal`, { method: 'POST', headers: form, body: 'text=forged' });
  assert.equal(noCsrf.status, 403);
  const badCsrf = await request(`${origin}/journal`, { method: 'POST', headers: form, body: `text=forged&csrf=${'1'.repeat(64)}` });
  assert.equal(badCsrf.status, 403);
  const csrf = ok.body.match(/name="csrf" value="([0-9a-f]+)"/)[1];
  const good = await request(`${origin}/journal`, { method: 'POST', headers: form, body: `text=genuine&csrf=${csrf}` });
  assert.equal(good.status, 303);
  const listed = await request(`${origin}/journal`, { headers: { cookie } });
  assert.doesNotMatch(listed.body, /forged/);
  assert.match(listed.body, /genuine/);
});

test('every page reflows at 320 CSS pixels (200% zoom on a phone) and every field has a label', async () => {
  const page = await (await browser.newContext({ viewport: { width: 320, height: 640 } })).newPage();
  await page.goto(samUrl);
  for (const path of ['/', '/journal', '/craving', '/checkin', '/goals', '/insights', '/notes', '/meetings', '/pair', '/mentor', '/settings']) {
    await page.goto(new URL(path, samUrl).href);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px at 320px`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], `${path} has fields without a label`);
    assert.equal(await page.locator('h1').count(), 1, `${path} has one h1`);
  }
  await page.context().close();
});

test('a fresh home opens on the first run, and finishing it lands on Today with the track', async () => {
  const url = await world.ui('robin');
  const page = await (await browser.newContext({ viewport: { width: 320, height: 640 } })).newPage();
  await page.goto(url);

  await page.getByRole('heading', { name: 'Welcome to Tandem', level: 1 }).waitFor();
  assert.equal(await page.getByRole('navigation').count(), 0, 'nothing to navigate to before set-up');
  await fits(page, 'the profile question');
  await shot(page, 'first-run-profile');
  await page.getByLabel('Your name, as your mentor will see it').fill('Robin');
  await page.getByLabel(/^Your time zone/).fill('Mars/Olympus');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.getByRole('alert').textContent(), /time ?zone/i, 'an unknown zone is refused, saying why');
  await page.getByLabel('Your name, as your mentor will see it').fill('Robin');
  await page.getByLabel(/^Your time zone/).fill('Europe/Berlin');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Your clean time', level: 1 }).waitFor();
  await fits(page, 'the first-track question');
  await page.getByLabel(/^What you stay away from/).fill('gambling');
  await page.getByLabel('Your first clean day').fill(daysAgo(12));
  await page.getByRole('button', { name: 'Start counting' }).click();

  await page.getByRole('heading', { name: 'Sync and pairing', level: 1 }).waitFor();
  await fits(page, 'the server question');
  await page.getByLabel('Sync server address').fill(server);
  await page.getByRole('button', { name: 'Use this server' }).click();

  await page.getByRole('heading', { name: 'Your recovery key', level: 1 }).waitFor();
  await fits(page, 'the recovery key');
  const key = (await page.locator('main code').textContent()).trim();
  assert.match(key, /^TR1-[A-Z0-9]+(-[A-Z0-9]+)+$/);
  await shot(page, 'first-run-recovery-key');
  await page.getByRole('button', { name: 'I wrote it down' }).click();

  await page.getByRole('heading', { name: 'Check your recovery key', level: 1 }).waitFor();
  await fits(page, 'the key check');
  assert.ok(!(await page.textContent('main')).includes(key), 'the key is hidden while a group is asked for');
  const asked = await page.locator('label[for=group]').textContent();
  const group = Number(asked.match(/Group (\d+) of/)[1]);
  await page.getByLabel(/^Group \d+ of/).fill('NOT-IT');
  await page.getByRole('button', { name: 'Confirm' }).click();
  assert.match(await page.getByRole('alert').textContent(), /does not match/);
  await page.getByLabel(/^Group \d+ of/).fill(key.split('-')[group].toLowerCase());
  await page.getByRole('button', { name: 'Confirm' }).click();

  await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  const main = await page.textContent('main');
  assert.match(main, /Hi Robin/);
  assert.match(main, /gambling/);
  assert.match(main, /1[23] days/);
  assert.match(main, /Syncs with your server/);
  await shot(page, 'first-run-done');
  // Reloading stays on Today: the store now says this device is set up.
  await page.reload();
  await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  await page.context().close();
});
