/** What a template describes, in FC API terms, whatever file format it came from. */
export interface ProjectFunction {
  functionName: string;
  /** The createFunction/updateFunction body without `functionName` and `code`. */
  config: Record<string, unknown>;
  /** Absolute folder to zip, or undefined for a custom container. */
  codeDir?: string;
  triggers: {
    triggerName: string;
    triggerType: string;
    triggerConfig: Record<string, unknown>;
    qualifier?: string;
  }[];
  /** s.yaml actions of the entry that declares this function, in order. */
  actions?: ProjectAction[];
}

export interface ProjectService {
  serviceName: string;
  config: Record<string, unknown>;
  functions: ProjectFunction[];
}

export interface ProjectDomain {
  domainName: string;
  protocol: string;
  routes: {
    path: string;
    serviceName: string;
    functionName: string;
    qualifier?: string;
    methods?: string[];
  }[];
}

export interface Project {
  file: string;
  services: ProjectService[];
  customDomains: ProjectDomain[];
}

/** A template problem, located: `template.yml:12:9: Resources.demo.fn.Properties.MemorySize: expected a number`. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** A Serverless Devs action (`actions: pre-deploy: - run: …, path: …`): a shell command run in `path`. */
export interface ProjectAction {
  hook: 'pre-deploy' | 'post-deploy';
  run: string;
  /** Absolute folder the command runs in. */
  path: string;
}
