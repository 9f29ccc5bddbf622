import { z } from 'zod';
import { LIMITS } from './limits.js';

const NO_URL = (s: string) => !/https?:\/\//i.test(s);

/** A tag key as FC accepts it: 1-128 characters, not `aliyun…`/`acs:…`, no URL. */
const tagKey = z
  .string()
  .min(1, 'a tag key cannot be empty')
  .max(LIMITS.tagKeyMaxLength, `a tag key is at most ${LIMITS.tagKeyMaxLength} characters`)
  .refine((k) => !/^(aliyun|acs:)/i.test(k), "a tag key cannot start with 'aliyun' or 'acs:'")
  .refine(NO_URL, "a tag key cannot contain 'http://' or 'https://'");

/** A tag value is optional (fc2 sends none as null or ''): 0-128 characters, no URL. */
const tagValue = z.preprocess(
  (v) => (v === null || v === undefined ? '' : v),
  z
    .string()
    .max(LIMITS.tagValueMaxLength, `a tag value is at most ${LIMITS.tagValueMaxLength} characters`)
    .refine(NO_URL, "a tag value cannot contain 'http://' or 'https://'"),
);

const resourceArn = z.string().min(1, 'resourceArn is required').max(LIMITS.referenceMaxLength);

export const tagResourceBody = z.object({
  resourceArn,
  tags: z
    .record(z.string(), tagValue)
    // Keys are checked here: zod's record reports a bad key without its rule.
    .superRefine((tags, ctx) => {
      for (const key of Object.keys(tags)) {
        const result = tagKey.safeParse(key);
        if (!result.success)
          ctx.addIssue({ code: 'custom', message: result.error.issues[0]?.message ?? 'invalid tag key' });
      }
    })
    .refine((t) => Object.keys(t).length >= 1, 'at least 1 tag is required')
    .refine(
      (t) => Object.keys(t).length <= LIMITS.tagsPerResourceMax,
      `at most ${LIMITS.tagsPerResourceMax} tags at once`,
    ),
});

export const untagResourceBody = z
  .object({
    resourceArn,
    tagKeys: z.array(tagKey).max(LIMITS.tagsPerResourceMax).nullish(),
    all: z.boolean().optional(),
  })
  .refine((b) => b.all === true || (b.tagKeys?.length ?? 0) > 0, {
    message: 'give at least 1 tag key in tagKeys, or all: true',
    path: ['tagKeys'],
  });
