/**
 * Every public name has a doc comment: each export of src/index.ts, and, recursively, each field
 * of the interfaces and object types they reach (options, results, progress, errors, sources),
 * since the API reference (`npm run docs`, TypeDoc) is generated from these comments.
 *
 * Read with the TypeScript compiler API from the sources, not from TypeDoc's output, so the check
 * needs no build and names the file and line of each undocumented declaration.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const srcDir = join(root, 'src');
const entry = join(srcDir, 'index.ts');

function createProgram(): ts.Program {
  const configPath = join(root, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (config === undefined) throw new Error(`cannot read ${configPath}`);
  return ts.createProgram({ rootNames: [entry], options: { ...config.options, noEmit: true } });
}

const inSrc = (declaration: ts.Declaration): boolean => {
  const file = declaration.getSourceFile().fileName;
  return file.startsWith(srcDir) && !file.endsWith('.test.ts');
};

function where(declaration: ts.Declaration): string {
  const file = declaration.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(declaration.getStart());
  return `${relative(root, file.fileName)}:${line + 1}`;
}

/** True when a declaration carries a `/** … *\/` comment with some text or a tag. */
function hasDocComment(declaration: ts.Node): boolean {
  // A variable's comment sits on its statement; a property assignment's on itself.
  const holder = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const docs = ts.getJSDocCommentsAndTags(holder);
  return docs.some((doc) => (ts.isJSDoc(doc) ? (doc.comment !== undefined && ts.getTextOfJSDocComment(doc.comment)?.trim() !== '') || (doc.tags?.length ?? 0) > 0 : true));
}

interface Finding {
  name: string;
  at: string;
}

/** Walks the public surface and lists each documented and undocumented name. */
function audit(): { missing: Finding[]; checked: string[] } {
  const program = createProgram();
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error('src/index.ts is not in the program');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('src/index.ts has no module symbol');

  const missing: Finding[] = [];
  const checked: string[] = [];
  const seenTypes = new Set<ts.Type>();
  const seenDeclarations = new Set<ts.Node>();

  const checkDeclaration = (name: string, declaration: ts.Declaration): void => {
    if (seenDeclarations.has(declaration) || !inSrc(declaration)) return;
    seenDeclarations.add(declaration);
    checked.push(name);
    if (!hasDocComment(declaration)) missing.push({ name, at: where(declaration) });
  };

  /** Fields of object types declared in src/, and the types those fields and signatures reach. */
  const visitType = (type: ts.Type, owner: string): void => {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) visitType(part, owner);
      return;
    }
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      for (const argument of checker.getTypeArguments(type as ts.TypeReference)) visitType(argument, owner);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const declarations = symbol?.getDeclarations() ?? [];
    // Only shapes written in src/: lib types (Blob, AbortSignal) and dependencies' types are not ours.
    if (!declarations.some(inSrc)) {
      // A generic from elsewhere (Record, Array, Promise) may still carry our types in its arguments.
      for (const argument of (type as ts.TypeReference).typeArguments ?? checker.getTypeArguments(type as ts.TypeReference) ?? []) visitType(argument, owner);
      return;
    }
    // The variants of a union written in src/ (Filter, FieldSpec, IndexedDBRange) are one-line
    // object types described by the union's own comment: their fields are not checked one by one,
    // but the types those fields reach are.
    const variant = declarations.some((d) => ts.isTypeLiteralNode(d) && ts.isUnionTypeNode(d.parent));
    const typeName = symbol !== undefined && symbol.getName() !== '__type' && symbol.getName() !== '__object' ? symbol.getName() : owner;
    for (const property of checker.getPropertiesOfType(type)) {
      // Private (#name) and underscore members are not part of the surface.
      if (property.getName().startsWith('#') || property.getName().startsWith('__')) continue;
      for (const declaration of property.getDeclarations() ?? []) {
        if (!inSrc(declaration)) continue;
        const modifiers = ts.canHaveModifiers(declaration) ? ts.getModifiers(declaration) : undefined;
        if (modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (variant) continue;
        checkDeclaration(`${typeName}.${property.getName()}`, declaration);
      }
      visitType(checker.getTypeOfSymbol(property), `${typeName}.${property.getName()}`);
    }
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) visitSignature(signature, typeName);
  };

  const visitSignature = (signature: ts.Signature, owner: string): void => {
    for (const parameter of signature.getParameters()) visitType(checker.getTypeOfSymbol(parameter), owner);
    visitType(signature.getReturnType(), owner);
  };

  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    const declarations = symbol.getDeclarations() ?? [];
    for (const declaration of declarations) {
      // An overloaded function's implementation signature is not callable from outside.
      const implementation = (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) && declaration.body !== undefined && declarations.length > 1;
      if (!implementation) checkDeclaration(name, declaration);
    }
    if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) visitType(checker.getDeclaredTypeOfSymbol(symbol), name);
    if (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable)) visitType(checker.getTypeOfSymbol(symbol), name);
  }
  return { missing, checked };
}

describe('doc comments', () => {
  const { missing, checked } = audit();

  it('reaches the whole public surface', () => {
    // Spot checks that the walk goes where it should: exports, their fields, nested option types.
    for (const name of ['exportData', 'exportStream', 'ExportError', 'ExportOptions.target', 'StreamOptions.csv', 'CsvOptions.delimiter', 'ExportResult.rowsRead', 'Progress.phase', 'ExportJob.getSnapshot', 'ExportJob.catch', 'SavedExportResult.resources', 'JobSnapshot.result', 'ExportLimits.onExceed']) {
      expect(checked, name).toContain(name);
    }
    expect(checked.length).toBeGreaterThan(150);
  });

  it('every exported name and every field it reaches has a doc comment', () => {
    expect(missing.map((finding) => `${finding.name} (${finding.at})`)).toEqual([]);
  });
});
