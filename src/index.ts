/**
 * The JupyterLab plugin of sagemaker-isolation: the left-sidebar panel, the status-bar verdict,
 * the commands and the settings.
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon } from '@jupyterlab/ui-components';
import { IsolationPanel } from './components/IsolationPanel';
import { IsolationModel } from './model';
import { OverviewCommandIDs, setupOverview } from './overview/plugin';
import { SelectionTracker } from './selection';
import { IsolationStatus } from './statusbar';
import { FRONTEND_VERSION } from './version';

/** Plugin id; also the settings id (`schema/plugin.json`). */
const PLUGIN_ID = 'sagemaker-isolation-ext:plugin';

/** Command ids. */
export namespace CommandIDs {
  export const refresh = 'sagemaker-isolation:refresh-report';
  export const open = 'sagemaker-isolation:open-panel';
  export const explainSelection = 'sagemaker-isolation:explain-selection';
}

/** A shield icon for the sidebar tab (coloured with JupyterLab's icon CSS variables). */
const shieldIcon = new LabIcon({
  name: 'sagemaker-isolation:shield',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4zm0 2.18 7 3.11V11c0 4.52-2.98 8.69-7 9.93-4.02-1.24-7-5.41-7-9.93V6.29l7-3.11zM11 7v6h2V7h-2zm0 8v2h2v-2h-2z"/></svg>'
});

/** Settings read from the registry (see schema/plugin.json for meanings and defaults). */
interface ISettings {
  domainId: string;
  region: string;
  profile: string;
  pollIntervalMs: number;
  autoCheckOnStart: boolean;
}

function readSettings(settings: ISettingRegistry.ISettings | null): ISettings {
  const get = <T>(key: string, fallback: T): T => {
    const value = settings?.get(key).composite;
    return value === undefined || value === null ? fallback : (value as T);
  };
  return {
    domainId: get('domainId', ''),
    region: get('region', ''),
    profile: get('profile', ''),
    pollIntervalMs: get('pollIntervalMs', 1000),
    autoCheckOnStart: get('autoCheckOnStart', true)
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Checks whether the resources of a SageMaker Studio domain are isolated by the domain resource isolation IAM policy.',
  autoStart: true,
  requires: [ILabShell],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    IStatusBar,
    ITranslator,
    ILauncher
  ],
  activate: async (
    app: JupyterFrontEnd,
    labShell: ILabShell,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    translator: ITranslator | null,
    launcher: ILauncher | null
  ) => {
    if (!app.version.startsWith('4.')) {
      // JupyterLab 3 (Studio Classic) may still load this JupyterLab 4 build: do nothing and point
      // at the standalone page, which needs no labextension.
      console.warn(
        `sagemaker-isolation: this panel needs JupyterLab 4 (running ${app.version}); ` +
          'open <base URL>/sagemaker-isolation/ for the standalone page instead.'
      );
      return;
    }
    const trans = (translator ?? nullTranslator).load(
      'sagemaker_isolation_ext'
    );
    // The one model owns every server call, all with the app's server settings.
    const model = new IsolationModel({
      serverSettings: app.serviceManager.serverSettings,
      frontendVersion: FRONTEND_VERSION
    });
    const selection = new SelectionTracker();
    // The account overview: its commands, launcher card and tabs, once the handshake says the
    // server has it.
    const overview = setupOverview(app, {
      labShell,
      trans,
      icon: shieldIcon,
      panelModel: model,
      palette,
      launcher
    });
    const panel = new IsolationPanel(model, trans, true, {
      model: overview,
      open: () => void app.commands.execute(OverviewCommandIDs.open)
    });
    panel.id = 'jp-SMIso-panel';
    panel.title.icon = shieldIcon;
    panel.title.caption = trans.__('SageMaker domain isolation');
    labShell.add(panel, 'left', { rank: 900 });

    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open SageMaker Isolation Panel'),
      caption: trans.__('Show the SageMaker domain isolation panel'),
      execute: () => labShell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh SageMaker Isolation Report'),
      caption: trans.__(
        'Re-run the isolation check, ignoring the cached report'
      ),
      isEnabled: () => model.state.server.status === 'ok',
      execute: async () => {
        labShell.activateById(panel.id);
        await model.check(true);
      }
    });
    app.commands.addCommand(CommandIDs.explainSelection, {
      label: trans.__('Explain Selected AccessDenied'),
      caption: trans.__(
        'Explain the AccessDenied error selected in a notebook output or editor'
      ),
      execute: async () => {
        const text = selection.text();
        labShell.activateById(panel.id);
        await model.explain.explain(text);
      }
    });
    // One item per selector: Lumino's context menu rejects selectors with commas in JupyterLab 3.
    for (const selector of ['.jp-OutputArea-output', '.jp-CodeMirrorEditor']) {
      app.contextMenu.addItem({
        command: CommandIDs.explainSelection,
        selector,
        rank: 90
      });
    }
    if (palette) {
      const category = trans.__('SageMaker Isolation');
      palette.addItem({ command: CommandIDs.open, category });
      palette.addItem({ command: CommandIDs.refresh, category });
      palette.addItem({ command: CommandIDs.explainSelection, category });
    }
    model.stateChanged.connect(() =>
      app.commands.notifyCommandChanged(CommandIDs.refresh)
    );

    if (statusBar) {
      statusBar.registerStatusItem(PLUGIN_ID, {
        item: new IsolationStatus(model, trans, () =>
          labShell.activateById(panel.id)
        ),
        align: 'left',
        rank: 100
      });
    }

    let settings: ISettingRegistry.ISettings | null = null;
    if (settingRegistry) {
      try {
        settings = await settingRegistry.load(PLUGIN_ID);
      } catch (error) {
        console.warn('sagemaker-isolation: could not load settings', error);
      }
    }
    const apply = (values: ISettings) => {
      model.pollIntervalMs = values.pollIntervalMs;
      const t = model.state.target;
      if (
        (values.domainId || '') !== (t.domain_id ?? '') ||
        (values.region || '') !== (t.region ?? '') ||
        (values.profile || '') !== (t.profile ?? '')
      ) {
        model.setTarget(
          {
            domain_id: values.domainId,
            region: values.region,
            profile: values.profile
          },
          'settings'
        );
      }
    };
    const initial = readSettings(settings);
    apply(initial);
    settings?.changed.connect(() => {
      const before = JSON.stringify(model.state.target);
      apply(readSettings(settings));
      if (JSON.stringify(model.state.target) !== before) {
        void model.fetchStatus();
      }
    });
    // Not awaited: `app.restored` waits for every plugin's activation, this one included.
    void app.restored.then(() => model.initialize(initial.autoCheckOnStart));
  }
};

export default plugin;
