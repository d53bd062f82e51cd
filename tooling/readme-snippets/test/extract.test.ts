import { buildPrograms, extractSnippets, parseDiagnostics } from '../src/index.js'

const readme = [
  '# pkg', //                                    1
  '```sh', //                                    2
  'npm install pkg', //                          3
  '```', //                                      4
  '<!-- snippet: run GET /a 200; prints ok -->', // 5
  '```ts', //                                    6
  "const a = 'x'", //                            7
  '```', //                                      8
  'Some prose.', //                              9
  '<!-- snippet-prelude', //                     10
  'declare const b: number', //                  11
  '-->', //                                      12
  '<!-- snippet: continues -->', //              13
  '```ts', //                                    14
  'const c: string = b', //                      15
  '```', //                                      16
  '```ts', //                                    17
  'export const d = 1', //                       18
  '```', //                                      19
].join('\n')

describe('README snippet extraction', () => {
  test('reads ts blocks with their directives and hidden preludes, and skips other languages', () => {
    const snippets = extractSnippets(readme)
    expect(
      snippets.map((snippet) => [snippet.line, snippet.code, snippet.prelude, snippet.continues, snippet.run]),
    ).toEqual([
      [7, "const a = 'x'", '', false, true],
      [15, 'const c: string = b', 'declare const b: number', true, false],
      [18, 'export const d = 1', '', false, false],
    ])
    expect(snippets[0]?.requests).toEqual([{ method: 'GET', path: '/a', status: 200 }])
    expect(snippets[0]?.prints).toEqual(['ok'])
  })

  test('joins continued blocks into one program and maps tsc errors back to README lines', () => {
    const programs = buildPrograms('pkg', extractSnippets(readme))
    expect(programs.map((program) => [program.file, program.lines, program.run])).toEqual([
      ['pkg-1.ts', [7, 15], true],
      ['pkg-2.ts', [18], false],
    ])
    expect(programs[0]?.source).toBe("const a = 'x'\ndeclare const b: number\nconst c: string = b\nexport {}\n")
    const output = [
      "pkg-1.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.",
      'pkg-1.ts(2,15): error TS1234: in the prelude',
      '  continued message',
    ].join('\n')
    expect(parseDiagnostics(output, [{ file: 'packages/pkg/README.md', programs }])).toEqual([
      { where: 'packages/pkg/README.md:15:7', message: "TS2322: Type 'number' is not assignable to type 'string'." },
      { where: 'pkg-1.ts:2:15 (hidden prelude)', message: 'TS1234: in the prelude\n  continued message' },
    ])
  })

  test('refuses unknown directives and directives that are not right above a ts block', () => {
    expect(() => extractSnippets('<!-- snippet: runn -->\n```ts\nx\n```')).toThrow('unknown snippet directive "runn"')
    expect(() => extractSnippets('<!-- snippet: run -->\ntext\n```ts\nx\n```')).toThrow('must sit right above')
    expect(() => extractSnippets('<!-- snippet: run -->\n```sh\nx\n```')).toThrow('not ```ts')
    expect(() => buildPrograms('pkg', extractSnippets('<!-- snippet: continues -->\n```ts\nx\n```'))).toThrow(
      'cannot continue',
    )
  })
})
