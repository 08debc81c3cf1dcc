/// `GET /openapi.yaml`: the OpenAPI 3 description of the API. The tests check that its paths and
/// methods are exactly the server's routes.
enum OpenAPIDescription {
    static let yaml = #"""
openapi: 3.0.3
info:
  title: kglog
  version: 0.7.0
  description: |
    The HTTP API of `kglog serve`: queries, statements, explanations, one term's facts,
    predicates, sources, rules, imports and exports over one knowledge base.
    Writes need `Authorization: Bearer TOKEN` (the token `kglog serve` prints or was given);
    on a host other than loopback, reads need it too. Errors are
    `{"error": {"message", "line", "column"}}`.
servers:
  - url: http://127.0.0.1:8080
components:
  securitySchemes:
    token:
      type: http
      scheme: bearer
  schemas:
    Value:
      type: object
      required: [value, kind]
      properties:
        value: {}
        kind:
          type: string
          enum: [integer, decimal, date, datetime, string, name, iri, blank, lang-string, typed]
        language: {type: string}
        datatype: {type: string}
    Answer:
      type: object
      properties:
        query: {type: string}
        columns: {type: array, items: {type: string}}
        rows: {type: array, items: {type: array, items: {$ref: '#/components/schemas/Value'}}}
        holds: {type: boolean}
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [message, line, column]
          properties:
            message: {type: string}
            line: {type: integer, nullable: true}
            column: {type: integer, nullable: true}
    Fact:
      type: object
      properties:
        predicate: {$ref: '#/components/schemas/Value'}
        arguments: {type: array, items: {$ref: '#/components/schemas/Value'}}
        sources: {type: array, items: {$ref: '#/components/schemas/Value'}}
        storedWithoutSource: {type: boolean}
  responses:
    BadInput:
      description: Bad input, with its position; nothing was applied.
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    Unauthorized:
      description: The request needs the token.
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    ReadOnly:
      description: The server is read-only.
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    TooLarge:
      description: The body is larger than the limit (16 MiB; 1 GiB for an upload).
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    Unavailable:
      description: A limit stopped the request (the query time limit, derived facts, memory); try again later or ask less.
      headers:
        Retry-After: {schema: {type: integer}}
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
paths:
  /:
    get:
      summary: The explorer page.
      responses:
        '200': {description: HTML, content: {text/html: {}}}
  /openapi.yaml:
    get:
      summary: This description.
      responses:
        '200': {description: YAML, content: {application/yaml: {}}}
  /api/query:
    post:
      summary: Answers queries (`?- member-of(X, csto).`; `?-` and the final `.` may be left out), as `kglog query --format json`.
      requestBody:
        required: true
        content: {text/plain: {schema: {type: string}}}
      responses:
        '200':
          description: One answer object a query.
          content: {application/json: {schema: {$ref: '#/components/schemas/Answer'}}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/statements:
    post:
      summary: Executes facts, rules, retractions and queries as one transaction, as a line of the REPL.
      security: [{token: []}]
      requestBody:
        required: true
        content: {text/plain: {schema: {type: string}}}
      responses:
        '200':
          description: What was added and removed, and the answers of the queries among them.
          content:
            application/json:
              schema:
                type: object
                properties:
                  factsAdded: {type: integer}
                  factsKnown: {type: integer}
                  factRowsRemoved: {type: integer}
                  rulesAdded: {type: integer}
                  rulesRemoved: {type: integer}
                  declarationsChanged: {type: integer}
                  answers: {type: array, items: {$ref: '#/components/schemas/Answer'}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/ReadOnly'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/why:
    get:
      summary: Why a fact holds, as `kglog why --format json`.
      parameters:
        - {name: fact, in: query, required: true, schema: {type: string}, example: 'ally(armenia, russia)'}
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, default: 3}}
      responses:
        '200': {description: The derivation tree., content: {application/json: {schema: {type: object}}}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/entity:
    get:
      summary: One term's stored facts, going out, coming in, and of other arities, each with its sources.
      parameters:
        - {name: term, in: query, required: true, schema: {type: string}, example: armenia}
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, default: 1000}}
      responses:
        '200':
          description: The term and its facts.
          content:
            application/json:
              schema:
                type: object
                properties:
                  term: {$ref: '#/components/schemas/Value'}
                  outgoing: {type: array, items: {$ref: '#/components/schemas/Fact'}}
                  incoming: {type: array, items: {$ref: '#/components/schemas/Fact'}}
                  other: {type: array, items: {$ref: '#/components/schemas/Fact'}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/predicates:
    get:
      summary: Every predicate, as `.predicates`.
      responses:
        '200': {description: The predicates., content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/Unauthorized'}
  /api/sources:
    get:
      summary: Every source, as `.sources`.
      responses:
        '200': {description: The sources., content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/Unauthorized'}
  /api/rules:
    get:
      summary: The stored rules, as `.rules`.
      responses:
        '200': {description: The rules., content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/Unauthorized'}
  /api/import:
    post:
      summary: Imports an uploaded file in one transaction, as `kglog import`.
      security: [{token: []}]
      parameters:
        - {name: format, in: query, required: true, schema: {type: string, enum: [kgl, nt, nq, ttl, trig, csv, tsv, jsonl]}}
        - {name: predicate, in: query, required: false, schema: {type: string}}
        - {name: source, in: query, required: false, schema: {type: string}}
      requestBody:
        required: true
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses:
        '200': {description: How many facts were added., content: {application/json: {schema: {type: object, properties: {added: {type: integer}}}}}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/ReadOnly'}
        '413': {$ref: '#/components/responses/TooLarge'}
  /api/export:
    get:
      summary: A streamed download of the knowledge base, as `kglog export`.
      parameters:
        - {name: format, in: query, required: true, schema: {type: string, enum: [kgl, nt, nq, ttl, trig, csv, tsv, jsonl]}}
        - {name: predicate, in: query, required: false, schema: {type: string}}
      responses:
        '200': {description: The file., content: {application/n-quads: {}, application/n-triples: {}, text/plain: {}, text/csv: {}}}
        '400': {$ref: '#/components/responses/BadInput'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '503': {$ref: '#/components/responses/Unavailable'}
"""#
}
